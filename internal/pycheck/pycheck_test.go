package pycheck

import "testing"

// TestRun: a script's output comes back; Has tells an importable module
// from a missing one.
func TestRun(t *testing.T) {
	Require(t, "pycheck's own test")
	if got := Run(t, "-c", "import sys; print(sys.argv[1])", "hello"); got != "hello\n" {
		t.Errorf("Run printed %q, want %q", got, "hello\n")
	}
	if !Has("sys", "json") || Has("sys", "no_such_module_pycheck") {
		t.Errorf("Has: sys and json %v, a missing module %v", Has("sys", "json"), Has("sys", "no_such_module_pycheck"))
	}
}
