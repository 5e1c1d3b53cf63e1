package bound

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIntFloat(t *testing.T) {
	for _, c := range []struct {
		err  error
		fail bool
	}{
		{Int("k", 1, 1, 5), false},
		{Int("k", 5, 1, 5), false},
		{Int("k", 0, 1, 5), true},
		{Int("k", 6, 1, 5), true},
		{Int("k", math.MinInt64, 1, 5), true},
		{Float("t", 0.5, 0, 1, true), false},
		{Float("t", 1, 0, 1, true), false},
		{Float("t", 0, 0, 1, false), false},
		{Float("t", 0, 0, 1, true), true},
		{Float("t", -1e-300, 0, 1, false), true},
		{Float("t", 1.0000001, 0, 1, true), true},
		{Float("t", math.NaN(), 0, 1, false), true},
		{Float("t", math.Inf(1), 0, math.Inf(1), false), true},
		{Float("t", math.Inf(-1), math.Inf(-1), 1, false), true},
	} {
		if (c.err != nil) != c.fail {
			t.Errorf("err %v, want failure %v", c.err, c.fail)
		}
		if c.err != nil && !strings.HasPrefix(c.err.Error(), "--") {
			t.Errorf("%v does not start with the flag", c.err)
		}
	}
	if err := Float("lr", math.Inf(1), 0, 10, true); err == nil || err.Error() != "--lr +Inf: want a finite number in (0, 10]" || FlagOf(err) != "lr" {
		t.Errorf("got %v", err)
	}
}

func TestMemory(t *testing.T) {
	if err := Memory(0.9*(1<<30), 1<<30, "x", "batch"); err != nil {
		t.Error(err)
	}
	// The estimates are lower bounds: 95% of the memory does not fit.
	if err := Memory(0.95*(1<<30), 1<<30, "x", "batch"); err == nil {
		t.Error("an estimate of 95% of the memory fits")
	}
	err := Memory(3<<30, 1<<30, "x", "batch", "width")
	if err == nil || FlagOf(err) != "batch" || !strings.Contains(err.Error(), "--batch, --width: x needs at least 3 GiB, more than 90% of the 1 GiB") {
		t.Errorf("got %v", err)
	}
	if PhysicalMemory() == 0 {
		t.Error("no MemTotal in /proc/meminfo")
	}
	if err := Memory(math.Inf(1), 0, "x", "n"); err == nil {
		t.Error("an infinite estimate fits")
	}
}

// TestWritable: a path under a writable directory is fine (and nothing is
// created); a path under a file, a directory given as a file and a file
// given as a directory are not.
func TestWritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WritableDir("out", filepath.Join(dir, "a", "b")); err != nil {
		t.Error(err)
	}
	if err := WritableFile("out", filepath.Join(dir, "a", "b.json")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
		t.Error("the check created a directory")
	}
	for _, err := range []error{
		WritableDir("out", filepath.Join(file, "x")),
		WritableFile("out", filepath.Join(file, "x.json")),
		WritableFile("out", dir),
		WritableDir("out", file),
		WritableDir("out", ""),
	} {
		if err == nil || FlagOf(err) != "out" {
			t.Errorf("got %v, want an error naming --out", err)
		}
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		if err := WritableDir("out", filepath.Join(ro, "run")); err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("read-only parent: %v", err)
		}
	}
}
