package dist

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// runRanks runs f on every rank of a Local world of n in its own goroutine
// and fails the test if they do not all return within a minute (a hang).
func runRanks(t *testing.T, n int, f func(c Comm) error) []error {
	t.Helper()
	comms := Local(n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r, c := range comms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[r] = f(c)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("ranks hang")
	}
	return errs
}

func TestLocalCollectives(t *testing.T) {
	const n = 3
	var mu sync.Mutex
	got := map[int][]float32{}
	errs := runRanks(t, n, func(c Comm) error {
		r := float32(c.Rank())
		if c.Size() != n || c.LocalSize() != n || c.LocalRank() != c.Rank() {
			t.Errorf("rank %d: size %d local %d/%d", c.Rank(), c.Size(), c.LocalRank(), c.LocalSize())
		}
		buf := []float32{r, 10 * r, 1}
		if err := c.AllreduceSum(buf); err != nil {
			return err
		}
		b64 := []float64{float64(r) + 0.5}
		if err := c.AllreduceSum64(b64); err != nil {
			return err
		}
		recv := make([]float32, 2*n)
		if err := c.Allgather([]float32{r, -r}, recv); err != nil {
			return err
		}
		msg := []byte("....")
		if c.Rank() == 1 {
			copy(msg, "root")
		}
		if err := c.Bcast(msg, 1); err != nil {
			return err
		}
		if err := c.Barrier(); err != nil {
			return err
		}
		if string(msg) != "root" || b64[0] != 4.5 {
			t.Errorf("rank %d: bcast %q, allreduce64 %v", c.Rank(), msg, b64)
		}
		mu.Lock()
		got[c.Rank()] = append(buf, recv...)
		mu.Unlock()
		return nil
	})
	want := []float32{3, 30, 3, 0, 0, 1, -1, 2, -2}
	for r := 0; r < n; r++ {
		if errs[r] != nil {
			t.Fatalf("rank %d: %v", r, errs[r])
		}
		for i := range want {
			if got[r][i] != want[i] {
				t.Fatalf("rank %d: got %v, want %v", r, got[r], want)
			}
		}
	}
}

// TestLocalSumOrder: the sum is taken in rank order, so the result is the
// same bits on every rank and every run even where float addition is not
// associative (1 + 1e8 - 1e8 is 0 in float32 left to right, 1 right to left).
func TestLocalSumOrder(t *testing.T) {
	vals := []float32{1, 1e8, -1e8}
	for run := 0; run < 5; run++ {
		res := make([]float32, 3)
		errs := runRanks(t, 3, func(c Comm) error {
			buf := []float32{vals[c.Rank()]}
			err := c.AllreduceSum(buf)
			res[c.Rank()] = buf[0]
			return err
		})
		for r := range res {
			if errs[r] != nil || res[r] != 0 {
				t.Fatalf("run %d rank %d: %v, %v; want 0 ((1+1e8)-1e8 in float32)", run, r, res[r], errs[r])
			}
		}
	}
}

// TestLocalMismatch: ranks that disagree get an error on every rank, not a
// hang, and the world stays usable afterwards.
func TestLocalMismatch(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		f          func(c Comm) error
	}{
		{"lengths", "rank 1 has 3", func(c Comm) error { return c.AllreduceSum(make([]float32, 2+c.Rank())) }},
		{"ops", "out of order", func(c Comm) error {
			if c.Rank() == 0 {
				return c.Barrier()
			}
			return c.AllreduceSum64(make([]float64, 1))
		}},
		{"recv", "rank 0's recv has 3", func(c Comm) error { return c.Allgather(make([]float32, 2), make([]float32, 3+c.Rank())) }},
		{"root", "names root 1", func(c Comm) error { return c.Bcast(make([]byte, 1), c.Rank()) }},
		{"outside", "outside a world of 2", func(c Comm) error { return c.Bcast(make([]byte, 1), 5) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := runRanks(t, 2, func(c Comm) error {
				err := tc.f(c)
				if e := c.Barrier(); e != nil {
					t.Errorf("rank %d: barrier after the failed call: %v", c.Rank(), e)
				}
				return err
			})
			for r, err := range errs {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("rank %d: error %v, want one containing %q", r, err, tc.want)
				}
			}
		})
	}
}

// TestLocalAbort: a rank's Abort ends its goroutine and fails the others'
// pending and later calls with a message naming the rank.
func TestLocalAbort(t *testing.T) {
	errs := runRanks(t, 3, func(c Comm) error {
		if c.Rank() == 2 {
			c.Abort(7)
			t.Error("Abort returned")
		}
		err := c.Barrier()
		if err2 := c.AllreduceSum(make([]float32, 1)); err2 == nil {
			t.Errorf("rank %d: a call after the abort succeeded", c.Rank())
		}
		return err
	})
	for r := 0; r < 2; r++ {
		if errs[r] == nil || !strings.Contains(errs[r].Error(), "rank 2 aborted the job with code 7") {
			t.Errorf("rank %d: %v", r, errs[r])
		}
	}
}

// TestLocalIallreduce: a rank runs ahead of the others with non-blocking
// all-reduces and a blocking collective in between (the data-parallel
// step's order: buckets started during the backward pass, global BN's
// all-reduce among them); every request gets the rank-order sum, the
// blocking call its own result, and a rank that starts another collective
// where the others start the all-reduce gets an error, not a hang.
func TestLocalIallreduce(t *testing.T) {
	const n, k = 3, 4
	errs := runRanks(t, n, func(c Comm) error {
		a := c.(AsyncAllreducer)
		r := float32(c.Rank())
		bufs := make([][]float32, k)
		reqs := make([]Request, k)
		for i := range bufs {
			if c.Rank() == 1 {
				time.Sleep(time.Millisecond) // the others run ahead
			}
			bufs[i] = []float32{r + float32(i), 1}
			var err error
			if reqs[i], err = a.IallreduceSum(bufs[i]); err != nil {
				return err
			}
			if i == 1 {
				b64 := []float64{float64(r)}
				if err := c.AllreduceSum64(b64); err != nil || b64[0] != 3 {
					t.Errorf("rank %d: blocking all-reduce among requests: %v %v", c.Rank(), b64, err)
				}
			}
		}
		for i := k - 1; i >= 0; i-- { // out of order: Wait has no order rule
			if err := reqs[i].Wait(); err != nil {
				return err
			}
			if want := float32(3 + n*i); bufs[i][0] != want || bufs[i][1] != n {
				t.Errorf("rank %d request %d: %v, want [%v %d]", c.Rank(), i, bufs[i], want, n)
			}
		}
		return reqs[0].Wait()
	})
	for r, err := range errs {
		if err != nil {
			t.Errorf("rank %d: %v", r, err)
		}
	}
	errs = runRanks(t, 2, func(c Comm) error {
		if c.Rank() == 0 {
			req, err := c.(AsyncAllreducer).IallreduceSum(make([]float32, 1))
			if err != nil {
				return err
			}
			return req.Wait()
		}
		return c.Barrier()
	})
	for r, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "out of order") {
			t.Errorf("rank %d: all-reduce against a barrier: %v, want out of order", r, err)
		}
	}
}
