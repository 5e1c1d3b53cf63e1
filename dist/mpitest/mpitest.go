package mpitest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// DefaultTimeout bounds a Run.
const DefaultTimeout = 2 * time.Minute

// Launcher is the mpirun a test uses.
type Launcher struct {
	// Path is the mpirun (or mpiexec) executable.
	Path string
	// OpenMPI is true for Open MPI's mpirun, false for MPICH's Hydra.
	OpenMPI bool
}

// FindLauncher returns SIMCLR_VK_MPIRUN or mpirun from PATH. Without one it
// skips the test, or fails it when CI=true.
func FindLauncher(t testing.TB) Launcher {
	t.Helper()
	name := os.Getenv("SIMCLR_VK_MPIRUN")
	if name == "" {
		name = "mpirun"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		msg := "no MPI launcher: " + err.Error() + " (install openmpi-bin, or set SIMCLR_VK_MPIRUN)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	out, err := exec.Command(p, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", p, err, out)
	}
	return Launcher{Path: p, OpenMPI: bytes.Contains(out, []byte("Open MPI"))}
}

// Tags is the build tags of MPI programs: SIMCLR_VK_MPI_TAGS or "mpi".
func Tags() string {
	if s := os.Getenv("SIMCLR_VK_MPI_TAGS"); s != "" {
		return s
	}
	return "mpi"
}

// Build compiles the main package pkg (an import path, or a directory
// relative to the test's) with the build tags (Tags() for an MPI program,
// "" for the default build) into the test's temporary directory and returns
// the binary's path.
func Build(t testing.TB, pkg, tags string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building %s: the go command is not on PATH: %v", pkg, err)
	}
	bin := filepath.Join(t.TempDir(), path.Base(filepath.ToSlash(pkg)))
	cmd := exec.Command(goTool, "build", "-tags", tags, "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags %q %s: %v\n%s", tags, pkg, err, out)
	}
	return bin
}

// Job is one mpirun.
type Job struct {
	Launcher Launcher
	// NP is the number of ranks.
	NP int
	// Bin and Args are the program every rank runs.
	Bin  string
	Args []string
	// Timeout bounds the job (DefaultTimeout when 0): then mpirun and every
	// process of its group are killed.
	Timeout time.Duration
	// Env is added to the environment of mpirun (and so of the ranks).
	Env []string
}

// Result is what a Job left.
type Result struct {
	// Ranks holds each rank's output, stdout and stderr lines as mpirun
	// forwarded them, without the rank tags.
	Ranks []string
	// Output is everything mpirun printed, its own messages included.
	Output string
	// Err is mpirun's exit error: nil when every rank exited 0.
	Err error
	// TimedOut is true when the job was killed at Timeout.
	TimedOut bool
	// Elapsed is the wall time of the job.
	Elapsed time.Duration
}

// Exec runs the job and returns what it left; it never fails the test on
// the job's exit status (see Run), only on a job it could not start.
func (j Job) Exec(t testing.TB) Result {
	t.Helper()
	timeout := j.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	args := []string{"-np", strconv.Itoa(j.NP)}
	if j.Launcher.OpenMPI {
		args = append(args, "--allow-run-as-root", "--oversubscribe", "--tag-output")
	} else {
		args = append(args, "-prepend-rank")
	}
	args = append(append(args, j.Bin), j.Args...)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, j.Launcher.Path, args...)
	cmd.Env = append(os.Environ(), j.Env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so that a timeout ends the ranks too: mpirun
	// gets SIGTERM (it kills the job), then SIGKILL after WaitDelay.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", j.Launcher.Path, err)
	}
	err := cmd.Wait()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever is left of the group
	r := Result{Output: out.String(), Err: err, Elapsed: time.Since(start)}
	r.TimedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
	r.Ranks = SplitRanks(r.Output, j.NP, j.Launcher.OpenMPI)
	return r
}

var (
	// Open MPI's --tag-output: "[jobid,rank]<stdout>:text".
	ompiTag = regexp.MustCompile(`^\[\d+,(\d+)\]<std(?:out|err)>:(.*)$`)
	// Hydra's -prepend-rank: "[rank] text".
	hydraTag = regexp.MustCompile(`^\[(\d+)\] ?(.*)$`)
)

// SplitRanks splits mpirun's tagged output into each of np ranks' lines;
// untagged lines (mpirun's own) are left out.
func SplitRanks(output string, np int, openMPI bool) []string {
	tag := hydraTag
	if openMPI {
		tag = ompiTag
	}
	ranks := make([]strings.Builder, np)
	for line := range strings.Lines(output) {
		m := tag.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			continue
		}
		r, err := strconv.Atoi(m[1])
		if err != nil || r >= np {
			continue
		}
		ranks[r].WriteString(m[2])
		ranks[r].WriteByte('\n')
	}
	s := make([]string, np)
	for r := range ranks {
		s[r] = ranks[r].String()
	}
	return s
}

// Run builds the main package pkg with Tags() and runs it on np ranks with
// args under DefaultTimeout; it fails the test, showing the output, unless
// every rank exited 0, and returns each rank's output.
func Run(t testing.TB, np int, pkg string, args ...string) []string {
	t.Helper()
	l := FindLauncher(t)
	res := Job{Launcher: l, NP: np, Bin: Build(t, pkg, Tags()), Args: args}.Exec(t)
	if res.TimedOut {
		t.Fatalf("mpirun -np %d %s: killed after %v\n%s", np, pkg, DefaultTimeout, res.Output)
	}
	if res.Err != nil {
		t.Fatalf("mpirun -np %d %s: %v\n%s", np, pkg, res.Err, res.Output)
	}
	return res.Ranks
}
