// Command mpicheck is the program dist's mpirun tests run on every rank: it
// takes the world from dist.World and exercises one behaviour, named by its
// argument, printing one line per rank that the test reads:
//
//	collectives  every collective of dist.Comm and IallreduceSum, checked
//	             against the values each rank can compute alone, then
//	             Finalize (after which calls are errors); prints
//	             "rank R/S local L/M ok"
//	fatal        every rank prints "rank R/S: started" and passes a Barrier,
//	             then the last rank calls dist.Fatal while the others wait
//	             in a second Barrier that only the abort can end
//	exit         the same, but the last rank exits with code 3 without
//	             MPI_Abort or MPI_Finalize
//	panic        the same, but the last rank panics (main defers
//	             dist.Recover)
//	blocked      the same as fatal, but the last rank calls dist.Fatal while
//	             its own MPI thread is blocked in a Barrier that the others,
//	             asleep, never join
//	truncate     rank 0 broadcasts 64 bytes into the others' 8: the
//	             others print the error MPI returned and call dist.Fatal
//
// Built without the mpi tag, dist.World's error is printed and it exits 1.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"simclr-vk/dist"
	"simclr-vk/internal/mpi"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mpicheck collectives|fatal|exit|panic|blocked|truncate")
		os.Exit(2)
	}
	comm, err := dist.World()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer dist.Recover(comm)
	last := comm.Rank() == comm.Size()-1
	switch os.Args[1] {
	case "collectives":
		if err := collectives(comm); err != nil {
			dist.Fatal(comm, err)
		}
	case "fatal", "exit", "panic", "blocked":
		// Every rank is up before the last one fails.
		fmt.Printf("rank %d/%d: started\n", comm.Rank(), comm.Size())
		if err := comm.Barrier(); err != nil {
			dist.Fatal(comm, err)
		}
		if last {
			time.Sleep(100 * time.Millisecond) // let the others reach the barrier
			switch os.Args[1] {
			case "blocked":
				go comm.Barrier()
				time.Sleep(200 * time.Millisecond) // let it block
				dist.Fatal(comm, errors.New("mpicheck: the device failed while a Barrier waits"))
			case "exit":
				os.Exit(3)
			case "panic":
				panic("mpicheck: out of device memory")
			}
			dist.Fatal(comm, errors.New("mpicheck: the device failed to open"))
		}
		if os.Args[1] == "blocked" {
			time.Sleep(10 * time.Minute)
		}
		comm.Barrier()
		fmt.Printf("rank %d/%d: passed a barrier that a rank never reached\n", comm.Rank(), comm.Size())
	case "truncate":
		buf := make([]byte, 8)
		if comm.Rank() == 0 {
			buf = make([]byte, 64)
		}
		if err := comm.Bcast(buf, 0); err != nil {
			fmt.Printf("rank %d/%d: error: %v\n", comm.Rank(), comm.Size(), err)
			dist.Fatal(comm, err)
		}
		comm.Barrier()
	default:
		dist.Fatal(comm, fmt.Errorf("mpicheck: unknown mode %q", os.Args[1]))
	}
	if err := dist.Finalize(comm); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if os.Args[1] == "collectives" {
		// After Finalize: errors, not calls into a finalised MPI.
		if err := comm.Barrier(); err == nil || !strings.Contains(err.Error(), "after Finalize") {
			fmt.Fprintf(os.Stderr, "Barrier after Finalize: %v\n", err)
			os.Exit(1)
		}
		if err := dist.Finalize(comm); err == nil {
			fmt.Fprintln(os.Stderr, "a second Finalize: no error")
			os.Exit(1)
		}
		fmt.Printf("rank %d/%d local %d/%d ok\n", comm.Rank(), comm.Size(), comm.LocalRank(), comm.LocalSize())
	}
}

// iallreduce starts non-blocking all-reduces of m floats (two pieces), of
// one and of none, a blocking all-reduce and a barrier among them, lets
// the MPI thread drive them while this goroutine sleeps (rank 0 longer
// than the others), and waits for them in reverse order.
func iallreduce(c dist.Comm, m int) error {
	a, ok := c.(dist.AsyncAllreducer)
	if !ok {
		return fmt.Errorf("%T has no IallreduceSum", c)
	}
	r, n := c.Rank(), c.Size()
	big, one := make([]float32, m), []float32{float32(r)}
	for i := range big {
		big[i] = float32((r + 1) * (i%1000 + 1))
	}
	var reqs []dist.Request
	for _, buf := range [][]float32{big, nil, one} {
		req, err := a.IallreduceSum(buf)
		if err != nil {
			return err
		}
		reqs = append(reqs, req)
		if len(buf) == 0 {
			b64 := []float64{1}
			if err := c.AllreduceSum64(b64); err != nil || b64[0] != float64(n) {
				return fmt.Errorf("AllreduceSum64 among IallreduceSums: %v, %v", b64, err)
			}
			if err := c.Barrier(); err != nil {
				return err
			}
		}
	}
	nap := 10 * time.Millisecond
	if r == 0 {
		nap *= 3
	}
	time.Sleep(nap)
	for i := len(reqs) - 1; i >= 0; i-- {
		if err := reqs[i].Wait(); err != nil {
			return err
		}
	}
	tri := n * (n + 1) / 2
	for i := range big {
		if want := float32(tri * (i%1000 + 1)); big[i] != want {
			return fmt.Errorf("IallreduceSum: [%d] = %v, want %v", i, big[i], want)
		}
	}
	if want := float32(n * (n - 1) / 2); one[0] != want {
		return fmt.Errorf("IallreduceSum of one float: %v, want %v", one[0], want)
	}
	return nil
}

func collectives(c dist.Comm) error {
	r, n := c.Rank(), c.Size()
	if n < 2 {
		return fmt.Errorf("world of %d: the test wants mpirun -np 2 or more", n)
	}
	// The sums are small integers, exact in float32 whatever the order;
	// the buffers span pieces of mpi.ChunkBytes (two of the float64's).
	const m = mpi.ChunkBytes/4 + 3
	f32 := make([]float32, m)
	f64 := make([]float64, m)
	for i := range f32 {
		f32[i] = float32((r + 1) * (i%1000 + 1))
		f64[i] = float64(r+1) * float64(i%1000+1) * 0.5
	}
	if err := c.AllreduceSum(f32); err != nil {
		return err
	}
	if err := c.AllreduceSum64(f64); err != nil {
		return err
	}
	tri := n * (n + 1) / 2
	for i := range f32 {
		if want := float32(tri * (i%1000 + 1)); f32[i] != want {
			return fmt.Errorf("AllreduceSum: [%d] = %v, want %v", i, f32[i], want)
		}
		if want := float64(tri) * float64(i%1000+1) * 0.5; f64[i] != want {
			return fmt.Errorf("AllreduceSum64: [%d] = %v, want %v", i, f64[i], want)
		}
	}
	if err := c.AllreduceSum(nil); err != nil {
		return fmt.Errorf("AllreduceSum of nothing: %w", err)
	}
	if err := iallreduce(c, m); err != nil {
		return err
	}

	// Allgather in rank order, from a separate buffer and from inside recv.
	const k = 5
	send := make([]float32, k)
	for j := range send {
		send[j] = float32(r*10 + j)
	}
	recv := make([]float32, n*k)
	if err := c.Allgather(send, recv); err != nil {
		return err
	}
	inPlace := make([]float32, n*k)
	copy(inPlace[r*k:], send)
	if err := c.Allgather(inPlace[r*k:(r+1)*k], inPlace); err != nil {
		return err
	}
	for q := 0; q < n; q++ {
		for j := 0; j < k; j++ {
			want := float32(q*10 + j)
			if recv[q*k+j] != want || inPlace[q*k+j] != want {
				return fmt.Errorf("Allgather: element %d of rank %d = %v (in place %v), want %v", j, q, recv[q*k+j], inPlace[q*k+j], want)
			}
		}
	}
	if err := c.Allgather(send, recv[1:]); err == nil {
		return errors.New("Allgather with a short recv: no error")
	}

	// Bcast from the last rank, the message at both ends of two pieces.
	msg := []byte("from the last rank")
	buf := make([]byte, mpi.ChunkBytes+len(msg))
	if r == n-1 {
		copy(buf, msg)
		copy(buf[len(buf)-len(msg):], msg)
	}
	if err := c.Bcast(buf, n-1); err != nil {
		return err
	}
	if string(buf[:len(msg)]) != string(msg) || string(buf[len(buf)-len(msg):]) != string(msg) {
		return fmt.Errorf("Bcast: got %q...%q, want %q at both ends", buf[:len(msg)], buf[len(buf)-len(msg):], msg)
	}
	if err := c.Bcast(buf, n); err == nil {
		return fmt.Errorf("Bcast from root %d of %d: no error", n, n)
	}
	if err := c.Barrier(); err != nil {
		return err
	}

	// One machine: the node-local split is the world; the launcher agrees.
	if c.LocalRank() != r || c.LocalSize() != n {
		return fmt.Errorf("local rank %d/%d on one machine, want %d/%d", c.LocalRank(), c.LocalSize(), r, n)
	}
	for _, v := range []string{"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"} {
		if s := os.Getenv(v); s != "" && s != strconv.Itoa(c.LocalRank()) {
			return fmt.Errorf("local rank %d, but %s=%s", c.LocalRank(), v, s)
		}
	}

	// The Go runtime still owns SIGSEGV after MPI's initialisation.
	if err := nilDeref(); err == nil {
		return errors.New("a nil dereference did not panic")
	}
	return nil
}

func nilDeref() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	var p *int
	*p = 1
	return nil
}
