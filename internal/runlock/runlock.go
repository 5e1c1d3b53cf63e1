package runlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockFile is the name of the lock file inside a run directory.
const LockFile = ".simclr-vk.lock"

// Lock is the ownership of a run directory; Release gives it up.
type Lock struct {
	Dir   string
	Stale int // pid named by a stale lock file that was taken over (0: none)
	f     *os.File
}

// HeldError is the error of Acquire when another owner holds the lock.
type HeldError struct {
	Dir     string
	PID     int    // 0 when the file names none (yet)
	Command string // the owner's command line ("" when unknown)
	Since   string // when the owner took the lock ("" when unknown)
}

func (e *HeldError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = "process " + strconv.Itoa(e.PID)
	}
	s := fmt.Sprintf("run directory %s is in use by %s", e.Dir, who)
	if e.Command != "" {
		s += fmt.Sprintf(" (%s", e.Command)
		if e.Since != "" {
			s += ", since " + e.Since
		}
		s += ")"
	}
	return s + "; wait for it to finish or choose another directory"
}

// Acquire creates dir if needed and takes its lock for this process,
// writing what (the command line) into the lock file. It fails with a
// *HeldError when another open lock holds it.
func Acquire(dir, what string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockFile)
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
		if err != nil {
			if errors.Is(err, syscall.ELOOP) {
				return nil, fmt.Errorf("lock %s: %s is a symbolic link; remove it (a lock file is never followed)", dir, path)
			}
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, held(dir, path)
			}
			return nil, fmt.Errorf("lock %s: flock %s: %w", dir, path, err)
		}
		// The previous owner may have removed the file between our open and
		// our flock: then we hold a lock on a file nobody else will open.
		if same, err := sameFile(f, path); err != nil || !same {
			f.Close()
			if attempt < 10 {
				continue
			}
			return nil, fmt.Errorf("lock %s: %s keeps changing under us", dir, path)
		}
		l := &Lock{Dir: dir, f: f}
		if prev, err := readInfo(f); err == nil && prev.PID > 0 && prev.PID != os.Getpid() {
			l.Stale = prev.PID
		}
		info := fmt.Sprintf("pid %d\ncommand %s\nsince %s\n", os.Getpid(), oneLine(what), time.Now().UTC().Format(time.RFC3339))
		if err := f.Truncate(0); err == nil {
			_, err = f.WriteAt([]byte(info), 0)
		}
		if err != nil {
			l.Release()
			return nil, fmt.Errorf("lock %s: write %s: %w", dir, path, err)
		}
		return l, nil
	}
}

// StaleNote is a one-line note about a stale lock taken over ("" when
// none), for the command to print.
func (l *Lock) StaleNote() string {
	if l.Stale == 0 {
		return ""
	}
	// The pid may be alive: a run directory copied (cp -r) from a running
	// train carries its lock file, which no process holds in the copy.
	return fmt.Sprintf("note: %s has a lock file left by process %d, which does not hold it (it ended, or the directory was copied); taking it over", l.Dir, l.Stale)
}

// Release removes the lock file and drops the lock. It is safe to call more
// than once and on nil.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	// Remove while still holding the flock: a process that opened the old
	// file before the removal sees, after its flock, that the name no longer
	// leads to it and starts over (see Acquire).
	err := os.Remove(filepath.Join(l.Dir, LockFile))
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("unlock %s: %w", l.Dir, err)
	}
	return nil
}

func sameFile(f *os.File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := os.Lstat(path)
	if err != nil {
		return false, err
	}
	return os.SameFile(a, b), nil
}

// held reads the owner's description for the error.
func held(dir, path string) error {
	e := &HeldError{Dir: dir}
	if f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0); err == nil {
		if info, err := readInfo(f); err == nil {
			e.PID, e.Command, e.Since = info.PID, info.Command, info.Since
		}
		f.Close()
	}
	return e
}

// readInfo parses the lock file's "key value" lines (at most 4 KiB).
func readInfo(f *os.File) (HeldError, error) {
	var e HeldError
	buf := make([]byte, 4096)
	n, err := f.ReadAt(buf, 0)
	if n == 0 && err != nil {
		return e, err
	}
	for _, line := range strings.Split(string(buf[:n]), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "pid":
			if p, err := strconv.Atoi(v); err == nil && p > 0 {
				e.PID = p
			}
		case "command":
			e.Command = v
		case "since":
			e.Since = v
		}
	}
	return e, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// CommandLine is this process's command line, for Acquire.
func CommandLine() string { return strings.Join(os.Args, " ") }
