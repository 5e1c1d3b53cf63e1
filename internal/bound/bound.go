package bound

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Error is a value out of its range; Flag is the flag name without dashes,
// Also more flags that set the value together with it.
type Error struct {
	Flag string
	Also []string
	Msg  string
	// colon: Msg is a sentence, not a value and its range.
	colon bool
}

func (e *Error) Error() string {
	if len(e.Also) == 0 && !e.colon {
		return "--" + e.Flag + " " + e.Msg
	}
	return "--" + strings.Join(append([]string{e.Flag}, e.Also...), ", --") + ": " + e.Msg
}

// Errorf returns an *Error for flag.
func Errorf(flag, format string, a ...any) error {
	return &Error{Flag: flag, Msg: fmt.Sprintf(format, a...)}
}

// FlagOf returns the flag an error from this package names ("" if none).
func FlagOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Flag
	}
	return ""
}

// Int checks lo <= v <= hi.
func Int(flag string, v, lo, hi int64) error {
	if v < lo || v > hi {
		return Errorf(flag, "%d: want an integer in [%d, %d]", v, lo, hi)
	}
	return nil
}

// Float checks that v is finite and in [lo, hi], or (lo, hi] when openLo.
func Float(flag string, v, lo, hi float64, openLo bool) error {
	ok := !math.IsNaN(v) && !math.IsInf(v, 0) && v <= hi && (v > lo || !openLo && v == lo)
	if !ok {
		l := "["
		if openLo {
			l = "("
		}
		return Errorf(flag, "%g: want a finite number in %s%g, %g]", v, l, lo, hi)
	}
	return nil
}

// Check is a list of checks; the first error is returned.
func Check(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// PhysicalMemory is MemTotal of /proc/meminfo in bytes (0 where unknown).
func PhysicalMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil || kb > math.MaxUint64/1024 {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// Usable is the share of a memory an estimate may fill: the estimates are
// lower bounds (the tensors a step keeps, not the allocator's slack, the
// program or, for physical memory, the other processes), so a run that
// needs more than this share would not finish.
const Usable = 0.9

// Memory refuses an estimate of need bytes above Usable of limit bytes (a
// device's memory; 0: the physical memory, no check where that is
// unknown). what says what was estimated, flags the flags that set its size
// (the first is named in the *Error).
func Memory(need float64, limit uint64, what string, flags ...string) error {
	kind := "device memory"
	if limit == 0 {
		limit, kind = PhysicalMemory(), "physical memory"
	}
	if limit == 0 || need <= Usable*float64(limit) {
		return nil
	}
	e := &Error{colon: true, Msg: fmt.Sprintf("%s needs at least %s, more than %.0f%% of the %s of %s; use a smaller size",
		what, Bytes(need), 100*Usable, Bytes(float64(limit)), kind)}
	if len(flags) > 0 {
		e.Flag, e.Also = flags[0], flags[1:]
	}
	return e
}

// Bytes formats a byte count (KiB, MiB, GiB, TiB, else an exponent).
func Bytes(b float64) string {
	for _, u := range []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"} {
		if b < 1024 {
			return fmt.Sprintf("%.3g %s", b, u)
		}
		b /= 1024
	}
	return fmt.Sprintf("%.3g PiB", b)
}

// WritableDir checks, without creating anything, that path could be
// created or written as a directory: it is a directory, or its nearest
// existing ancestor is a writable directory.
func WritableDir(flag, path string) error {
	return writable(flag, path, true)
}

// WritableFile checks, without creating anything, that a file could be
// written at path: it is not a directory, and its nearest existing
// ancestor directory is writable.
func WritableFile(flag, path string) error {
	return writable(flag, path, false)
}

func writable(flag, path string, dir bool) error {
	if path == "" {
		return Errorf(flag, "is empty")
	}
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() != dir {
			if dir {
				return Errorf(flag, "%s: exists and is not a directory", path)
			}
			return Errorf(flag, "%s: is a directory", path)
		}
		if dir {
			return access(flag, path, path)
		}
	}
	p := path
	for {
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		st, err := os.Stat(parent)
		if err == nil {
			if !st.IsDir() {
				return Errorf(flag, "%s: %s is not a directory", path, parent)
			}
			return access(flag, path, parent)
		}
		p = parent
	}
}

func access(flag, path, dir string) error {
	if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
		return Errorf(flag, "%s: directory %s is not writable: %v", path, dir, err)
	}
	return nil
}
