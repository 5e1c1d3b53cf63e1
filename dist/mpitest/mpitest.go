package mpitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

// Launcher is an mpirun a test uses and the build tags of programs it runs.
type Launcher struct {
	// Path is the mpirun (or mpiexec) executable.
	Path string
	// OpenMPI is true for Open MPI's mpirun, false for MPICH's Hydra.
	OpenMPI bool
	// Tags are the build tags of programs for this MPI ("mpi" for Open
	// MPI, "mpi mpich" for MPICH).
	Tags string
}

// Name is "openmpi" or "mpich".
func (l Launcher) Name() string {
	if l.OpenMPI {
		return "openmpi"
	}
	return "mpich"
}

// Launchers returns every MPI a test can build for and launch with:
// SIMCLR_VK_MPIRUN alone when set (with SIMCLR_VK_MPI_TAGS, or the tags
// its --version implies), else mpirun.openmpi and mpirun.mpich (Debian's
// names) where pkg-config finds the matching development files, else
// mpirun. Without one it skips the test, or fails it when CI=true.
func Launchers(t testing.TB) []Launcher {
	t.Helper()
	names := []string{"mpirun.openmpi", "mpirun.mpich"}
	if s := os.Getenv("SIMCLR_VK_MPIRUN"); s != "" {
		names = []string{s}
	}
	var ls []Launcher
	var why []string
	for _, name := range names {
		l, err := launcher(name)
		if err != nil {
			why = append(why, err.Error())
			continue
		}
		ls = append(ls, l)
	}
	if len(ls) == 0 && len(names) > 1 {
		if l, err := launcher("mpirun"); err == nil {
			ls = append(ls, l)
		} else {
			why = append(why, err.Error())
		}
	}
	for _, w := range why {
		if len(ls) > 0 {
			t.Logf("MPI launcher left out: %s", w)
		}
	}
	if len(ls) == 0 {
		msg := "no usable MPI launcher (install openmpi-bin and libopenmpi-dev, or set SIMCLR_VK_MPIRUN): " + strings.Join(why, "; ")
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return ls
}

// FindLauncher is the first of Launchers (Open MPI where it is installed).
func FindLauncher(t testing.TB) Launcher {
	t.Helper()
	return Launchers(t)[0]
}

// launcher identifies the MPI of the launcher name and checks that
// pkg-config finds its development files.
func launcher(name string) (Launcher, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return Launcher{}, err
	}
	out, err := exec.Command(p, "--version").CombinedOutput()
	if err != nil {
		return Launcher{}, fmt.Errorf("%s --version: %v: %s", p, err, out)
	}
	var l Launcher
	var pc string
	switch {
	case bytes.Contains(out, []byte("Open MPI")) || bytes.Contains(out, []byte("OpenRTE")):
		l, pc = Launcher{Path: p, OpenMPI: true, Tags: "mpi"}, "ompi-c"
	case bytes.Contains(out, []byte("HYDRA")):
		l, pc = Launcher{Path: p, Tags: "mpi mpich"}, "mpich"
	default:
		return Launcher{}, fmt.Errorf("%s: neither Open MPI nor MPICH's Hydra: %q", p, firstLine(out))
	}
	if s := os.Getenv("SIMCLR_VK_MPI_TAGS"); s != "" {
		l.Tags = s
	} else if out, err := exec.Command("pkg-config", "--exists", "--print-errors", pc).CombinedOutput(); err != nil {
		return Launcher{}, fmt.Errorf("%s: pkg-config %s: %v %s", p, pc, err, bytes.TrimSpace(out))
	}
	return l, nil
}

func firstLine(b []byte) []byte {
	line, _, _ := bytes.Cut(bytes.TrimSpace(b), []byte("\n"))
	return line
}

// Build compiles the main package pkg (an import path, or a directory
// relative to the test's) with the build tags (a Launcher's Tags for an MPI
// program, "" for the default build) into the test's temporary directory and returns
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
	// Dir is the ranks' working directory (the test's when empty).
	Dir string
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
	cmd.Dir = j.Dir
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

// Run builds the main package pkg for FindLauncher's MPI and runs it on np
// ranks with args under DefaultTimeout; it fails the test, showing the output, unless
// every rank exited 0, and returns each rank's output.
func Run(t testing.TB, np int, pkg string, args ...string) []string {
	t.Helper()
	l := FindLauncher(t)
	res := Job{Launcher: l, NP: np, Bin: Build(t, pkg, l.Tags), Args: args}.Exec(t)
	if res.TimedOut {
		t.Fatalf("mpirun -np %d %s: killed after %v\n%s", np, pkg, DefaultTimeout, res.Output)
	}
	if res.Err != nil {
		t.Fatalf("mpirun -np %d %s: %v\n%s", np, pkg, res.Err, res.Output)
	}
	return res.Ranks
}
