package dist_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"simclr-vk/dist/mpitest"
)

// noHang bounds the jobs that must end early: far above their time on a
// loaded 2-core machine, far below the go test timeout.
const noHang = 60 * time.Second

const mpicheck = "simclr-vk/dist/internal/mpicheck"

// TestMPI runs dist/internal/mpicheck under each MPI installed (Open MPI,
// MPICH): the collectives on 2 and 3 ranks; an MPI error comes back as a
// Go error; a job whose rank fails (dist.Fatal, also while its own MPI
// thread is blocked in a collective, a panic through dist.Recover, or an
// exit without MPI_Abort) ends whole, naming the rank,
// instead of hanging; the binary
// built without the mpi tag refuses to run as one of several ranks.
func TestMPI(t *testing.T) {
	ls := mpitest.Launchers(t)
	plain := mpitest.Build(t, mpicheck, "")
	for _, l := range ls {
		t.Run(l.Name(), func(t *testing.T) { testMPI(t, l, plain) })
	}
}

// testMPI runs the cases under l; plain is mpicheck built without MPI.
func testMPI(t *testing.T, l mpitest.Launcher, plain string) {
	bin := mpitest.Build(t, mpicheck, l.Tags)
	job := func(t *testing.T, np int, mode string) mpitest.Result {
		t.Helper()
		res := mpitest.Job{Launcher: l, NP: np, Bin: bin, Args: []string{mode}, Timeout: noHang}.Exec(t)
		if res.TimedOut {
			t.Fatalf("mpirun -np %d mpicheck %s: hung, killed after %v\n%s", np, mode, noHang, res.Output)
		}
		return res
	}

	for _, np := range []int{2, 3} {
		t.Run(fmt.Sprintf("collectives-np%d", np), func(t *testing.T) {
			res := job(t, np, "collectives")
			if res.Err != nil {
				t.Fatalf("%v\n%s", res.Err, res.Output)
			}
			for r, out := range res.Ranks {
				if want := fmt.Sprintf("rank %d/%d local %d/%d ok\n", r, np, r, np); out != want {
					t.Errorf("rank %d printed %q, want %q", r, out, want)
				}
			}
		})
	}

	t.Run("mpi-error", func(t *testing.T) {
		res := job(t, 3, "truncate")
		if res.Err == nil {
			t.Fatalf("a truncated MPI_Bcast: the job succeeded\n%s", res.Output)
		}
		// The ranks that got to print (the first Fatal ends the job) show
		// MPI_Error_string's text in a Go error.
		got := regexp.MustCompile(`(?i)rank [12]/3: error: mpi: MPI_Bcast\(8 bytes from rank 0\): .*truncated`)
		if !got.MatchString(res.Output) {
			t.Errorf("no rank reported the truncation as an error:\n%s", res.Output)
		}
	})

	// failed checks a job whose last rank failed after every rank started.
	passed := regexp.MustCompile(`passed a barrier`)
	failed := func(t *testing.T, what string, res mpitest.Result) {
		t.Helper()
		if res.Err == nil || passed.MatchString(res.Output) {
			t.Fatalf("%s did not end the job: %v\n%s", what, res.Err, res.Output)
		}
		for r, out := range res.Ranks {
			if !strings.Contains(out, fmt.Sprintf("rank %d/%d: started\n", r, len(res.Ranks))) {
				t.Errorf("rank %d did not start: %q\n%s", r, out, res.Output)
			}
		}
	}
	t.Run("fatal", func(t *testing.T) {
		res := job(t, 3, "fatal")
		failed(t, "a rank's dist.Fatal", res)
		if !strings.Contains(res.Ranks[2], "rank 2 of 3: mpicheck: the device failed to open") {
			t.Errorf("rank 2 did not name itself and the error:\n%s", res.Output)
		}
	})
	t.Run("fatal-while-blocked", func(t *testing.T) {
		res := job(t, 3, "blocked")
		failed(t, "dist.Fatal beside a blocked Barrier", res)
		if !strings.Contains(res.Ranks[2], "rank 2 of 3: mpicheck: the device failed while a Barrier waits") {
			t.Errorf("rank 2 did not name itself and the error:\n%s", res.Output)
		}
	})
	t.Run("panic", func(t *testing.T) {
		res := job(t, 3, "panic")
		failed(t, "a rank's panic", res)
		if !regexp.MustCompile(`rank 2 of 3: panic: mpicheck: out of device memory\n(.*\n)*.*main\.main`).MatchString(res.Ranks[2]) {
			t.Errorf("rank 2 did not name itself, the panic and its stack:\n%s", res.Output)
		}
	})
	t.Run("exit", func(t *testing.T) {
		res := job(t, 3, "exit")
		failed(t, "a rank's exit", res)
		// Open MPI's mpirun names the process [[job,1],rank] and its code.
		if l.OpenMPI && !regexp.MustCompile(`\[\[\d+,\d+\],2\]\s+Exit code:\s+3`).MatchString(res.Output) {
			t.Errorf("mpirun did not name rank 2 and exit code 3:\n%s", res.Output)
		}
	})

	t.Run("binary-without-mpi", func(t *testing.T) {
		res := mpitest.Job{Launcher: l, NP: 2, Bin: plain, Args: []string{"collectives"}, Timeout: noHang}.Exec(t)
		if res.TimedOut || res.Err == nil {
			t.Fatalf("the binary without MPI ran under mpirun -np 2 (timed out: %v)\n%s", res.TimedOut, res.Output)
		}
		// Each rank that got to print (the first to exit ends the job)
		// printed only the error.
		const msg = "was built without MPI: run bin/simclr-vk-mpi"
		if !strings.Contains(strings.Join(res.Ranks, ""), msg) {
			t.Errorf("no rank printed an error naming bin/simclr-vk-mpi:\n%s", res.Output)
		}
		for r, out := range res.Ranks {
			if out != "" && (strings.Count(out, "\n") != 1 || !strings.Contains(out, msg)) {
				t.Errorf("rank %d printed %q, want only the error", r, out)
			}
		}
	})
}

// TestMPITestRun: mpitest.Run, the helper other packages' tests use, builds
// for the first MPI found and returns each rank's output.
func TestMPITestRun(t *testing.T) {
	out := mpitest.Run(t, 2, mpicheck, "collectives")
	if len(out) != 2 || out[0] != "rank 0/2 local 0/2 ok\n" || out[1] != "rank 1/2 local 1/2 ok\n" {
		t.Errorf("Run returned %q", out)
	}
}
