package pycheck

import "testing"

// TestRun: a script's output comes back; Has tells an importable module
// from a missing one; With finds no interpreter for a missing module.
func TestRun(t *testing.T) {
	py := Require(t, "pycheck's own test")
	if got := py.Run(t, "-c", "import sys; print(sys.argv[1])", "hello"); got != "hello\n" {
		t.Errorf("Run printed %q, want %q", got, "hello\n")
	}
	if !py.Has("sys", "json") || py.Has("sys", "no_such_module_pycheck") {
		t.Errorf("Has: sys and json %v, a missing module %v", py.Has("sys", "json"), py.Has("sys", "no_such_module_pycheck"))
	}
	if p, ok := With("no_such_module_pycheck"); ok {
		t.Errorf("With a missing module found %q", p)
	}
}
