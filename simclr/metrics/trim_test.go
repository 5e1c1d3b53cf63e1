package metrics

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrimLog: records after the resumed step and a torn last line are
// dropped; earlier records and records without a step stay, in order.
func TestTrimLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.jsonl")
	in := `{"type":"epoch","epoch":0,"global_step":0}
{"type":"step","global_step":1}
{"type":"note","text":"no step"}
{"type":"step","global_step":2}
{"type":"epoch","epoch":1,"global_step":2}
{"type":"step","global_step":3}
{"type":"step","global_step":4}
{"type":"step","glob`
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	n, err := TrimLog(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"epoch","epoch":0,"global_step":0}
{"type":"step","global_step":1}
{"type":"note","text":"no step"}
{"type":"step","global_step":2}
{"type":"epoch","epoch":1,"global_step":2}
`
	got, _ := os.ReadFile(path)
	if string(got) != want || n != 3 {
		t.Errorf("dropped %d (want 3), file:\n%s\nwant:\n%s", n, got, want)
	}
	// Nothing to drop: the file is left alone; a missing file is fine.
	st0, _ := os.Stat(path)
	if n, err := TrimLog(path, 10); n != 0 || err != nil {
		t.Errorf("nothing to drop: %d, %v", n, err)
	}
	if st1, _ := os.Stat(path); !os.SameFile(st0, st1) {
		t.Error("rewritten with nothing to drop")
	}
	if n, err := TrimLog(filepath.Join(dir, "missing.jsonl"), 1); n != 0 || err != nil {
		t.Errorf("missing file: %d, %v", n, err)
	}
}

// TestLogRefusesSymlink: a metrics.jsonl planted as a symbolic link is
// neither appended to nor trimmed through.
func TestLogRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.WriteFile(target, []byte(`{"type":"step","global_step":9}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "metrics.jsonl")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	if l, err := OpenLog(path, 1); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		l.Close()
		t.Errorf("OpenLog: err = %v", err)
	}
	if _, err := TrimLog(path, 1); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("TrimLog: err = %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != `{"type":"step","global_step":9}`+"\n" {
		t.Errorf("target changed: %q", b)
	}
}
