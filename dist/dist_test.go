package dist

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestSingle(t *testing.T) {
	var c Comm = Single{}
	if c.Rank() != 0 || c.Size() != 1 || c.LocalRank() != 0 || c.LocalSize() != 1 {
		t.Fatalf("Single: rank %d/%d local %d/%d, want 0/1 local 0/1", c.Rank(), c.Size(), c.LocalRank(), c.LocalSize())
	}
	f32 := []float32{1.5, -2}
	f64 := []float64{3.25}
	if err := c.AllreduceSum(f32); err != nil || f32[0] != 1.5 || f32[1] != -2 {
		t.Errorf("AllreduceSum: %v %v", f32, err)
	}
	if err := c.AllreduceSum64(f64); err != nil || f64[0] != 3.25 {
		t.Errorf("AllreduceSum64: %v %v", f64, err)
	}
	recv := make([]float32, 2)
	if err := c.Allgather(f32, recv); err != nil || recv[0] != 1.5 || recv[1] != -2 {
		t.Errorf("Allgather: %v %v", recv, err)
	}
	if err := c.Allgather(f32, make([]float32, 3)); err == nil || !strings.Contains(err.Error(), "recv has 3 elements, want 2") {
		t.Errorf("Allgather into 3 of 2: %v", err)
	}
	b := []byte("x")
	if err := c.Bcast(b, 0); err != nil || string(b) != "x" {
		t.Errorf("Bcast: %q %v", b, err)
	}
	if err := c.Bcast(b, 1); err == nil || !strings.Contains(err.Error(), "root 1") {
		t.Errorf("Bcast from root 1: %v", err)
	}
	if err := c.Barrier(); err != nil {
		t.Error(err)
	}
	if req, err := c.(AsyncAllreducer).IallreduceSum(f32); err != nil || req.Wait() != nil || f32[0] != 1.5 {
		t.Errorf("IallreduceSum: %v %v", f32, err)
	}
	if err := Finalize(c); err != nil {
		t.Error(err)
	}
	func() {
		defer func() {
			if p := recover(); p == nil || !strings.Contains(p.(string), "code 3") {
				t.Errorf("Single.Abort(3): recovered %v", p)
			}
		}()
		c.Abort(3)
	}()
}

func TestDetectLaunch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		want  Launch
		multi bool
	}{
		{"none", nil, Launch{Rank: -1}, false},
		{"open mpi", map[string]string{"OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "2", "PMIX_RANK": "2"},
			Launch{Var: "OMPI_COMM_WORLD_SIZE", Size: 4, Rank: 2}, true},
		{"open mpi -np 1", map[string]string{"OMPI_COMM_WORLD_SIZE": "1", "OMPI_COMM_WORLD_RANK": "0"},
			Launch{Var: "OMPI_COMM_WORLD_SIZE", Size: 1, Rank: 0}, false},
		{"hydra", map[string]string{"PMI_SIZE": "2", "PMI_RANK": "0"}, Launch{Var: "PMI_SIZE", Size: 2, Rank: 0}, true},
		{"pmix rank 1", map[string]string{"PMIX_RANK": "1"}, Launch{Var: "PMIX_RANK", Rank: 1}, true},
		{"pmix rank 0", map[string]string{"PMIX_RANK": "0"}, Launch{Var: "PMIX_RANK", Rank: 0}, false},
		{"srun", map[string]string{"SLURM_STEP_NUM_TASKS": "8", "SLURM_PROCID": "7"}, Launch{Var: "SLURM_STEP_NUM_TASKS", Size: 8, Rank: 7}, true},
		{"sbatch script", map[string]string{"SLURM_PROCID": "0", "SLURM_NTASKS": "8"}, Launch{Rank: -1}, false},
		{"garbage", map[string]string{"PMI_SIZE": "two"}, Launch{Var: "PMI_SIZE", Size: 0, Rank: -1}, false},
	} {
		got := DetectLaunch(func(k string) string { return tc.env[k] })
		if got != tc.want || got.Multi() != tc.multi || got.Launched() != (tc.want.Var != "") {
			t.Errorf("%s: %+v (multi %v), want %+v (multi %v)", tc.name, got, got.Multi(), tc.want, tc.multi)
		}
	}
}

func TestNoMPIError(t *testing.T) {
	for _, l := range []Launch{{Var: "OMPI_COMM_WORLD_SIZE", Size: 2, Rank: 1}, {Var: "PMIX_RANK", Rank: 3}} {
		msg := noMPIError(l).Error()
		for _, want := range []string{"bin/simclr-vk-mpi", "without MPI", l.Var} {
			if !strings.Contains(msg, want) {
				t.Errorf("%+v: %q lacks %q", l, msg, want)
			}
		}
	}
}

// TestWorldWithoutLauncher: a process no launcher started is a world of
// one, with or without the mpi tag (MPI is not initialised).
func TestWorldWithoutLauncher(t *testing.T) {
	if l := DetectLaunch(os.Getenv); l.Launched() {
		t.Skipf("this test process was started by a launcher (%s)", l.Var)
	}
	c, err := World()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(Single); !ok {
		t.Fatalf("World() = %T, want Single", c)
	}
}

// TestFatalSingle runs Fatal, and a panic under Recover, in a child
// process (they exit): the error on stderr, no rank named, exit code 1.
func TestFatalSingle(t *testing.T) {
	switch os.Getenv("DIST_TEST_FATAL") {
	case "fatal":
		Fatal(Single{}, errors.New("the device failed to open"))
		return
	case "panic":
		defer Recover(Single{})
		panic("out of device memory")
	}
	for _, tc := range []struct{ mode, want string }{
		{"fatal", ": the device failed to open\n"},
		{"panic", ": panic: out of device memory\ngoroutine "},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFatalSingle$")
		cmd.Env = append(os.Environ(), "DIST_TEST_FATAL="+tc.mode)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("%s: %v, want exit code 1\n%s", tc.mode, err, out)
		}
		if !strings.Contains(string(out), tc.want) || strings.Contains(string(out), "rank") {
			t.Errorf("%s printed %q, want %q and no rank", tc.mode, out, tc.want)
		}
	}
}
