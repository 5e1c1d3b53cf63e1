package runlock

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestAcquireExcludesAndReleases(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	l, err := Acquire(dir, "simclr-vk train --out "+dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, "second")
	var he *HeldError
	if !errors.As(err, &he) {
		t.Fatalf("second Acquire: err = %v, want a *HeldError", err)
	}
	if he.PID != os.Getpid() || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) ||
		!strings.Contains(err.Error(), "simclr-vk train --out") {
		t.Errorf("error %q should name the directory, pid %d and the owner's command", err, os.Getpid())
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, LockFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left after Release: %v", err)
	}
	l2, err := Acquire(dir, "third")
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	if l2.Stale != 0 {
		t.Errorf("Stale = %d after a clean release", l2.Stale)
	}
	l2.Release()
	l2.Release() // twice is harmless
}

// TestStaleLockTakenOver: a lock file nobody holds a flock on (its owner
// died) is taken over and reported.
func TestStaleLockTakenOver(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, LockFile), []byte("pid 2147483000\ncommand simclr-vk train\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(dir, "new owner")
	if err != nil {
		t.Fatalf("stale lock: %v", err)
	}
	defer l.Release()
	if l.Stale != 2147483000 || !strings.Contains(l.StaleNote(), "process 2147483000") {
		t.Errorf("Stale = %d (%q), want the dead owner's pid", l.Stale, l.StaleNote())
	}
	b, _ := os.ReadFile(filepath.Join(dir, LockFile))
	if !strings.Contains(string(b), "pid "+strconv.Itoa(os.Getpid())+"\n") || !strings.Contains(string(b), "command new owner\n") {
		t.Errorf("lock file after take-over:\n%s", b)
	}
}

// TestSymlinkLockRefused: a symbolic link planted as the lock file is not
// followed (its target stays as it was).
func TestSymlinkLockRefused(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(target, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, LockFile)); err != nil {
		t.Fatal(err)
	}
	if l, err := Acquire(dir, "x"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		l.Release()
		t.Fatalf("err = %v, want a refusal of the symbolic link", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me" {
		t.Errorf("the link's target was written: %q", b)
	}
}

// TestOtherProcess: the lock excludes another process, names its pid, and
// is free again (stale) once that process is killed with SIGKILL.
func TestOtherProcess(t *testing.T) {
	if dir := os.Getenv("RUNLOCK_TEST_HOLD"); dir != "" {
		if _, err := Acquire(dir, "helper"); err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		select {} // hold until killed
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestOtherProcess$")
	cmd.Env = append(os.Environ(), "RUNLOCK_TEST_HOLD="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper: %q, %v", line, err)
	}
	_, err = Acquire(dir, "parent")
	var he *HeldError
	if !errors.As(err, &he) || he.PID != cmd.Process.Pid {
		t.Fatalf("while the helper holds it: err = %v, want a *HeldError naming pid %d", err, cmd.Process.Pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := Acquire(dir, "parent")
	if err != nil {
		t.Fatalf("after the owner was killed: %v", err)
	}
	defer l.Release()
	if l.Stale != cmd.Process.Pid {
		t.Errorf("Stale = %d, want the killed owner %d", l.Stale, cmd.Process.Pid)
	}
}
