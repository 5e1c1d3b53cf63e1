package pycheck

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Python is the path of an interpreter that imports the modules a check
// asked for.
type Python string

// candidates are tried in order: python3 on PATH, then Debian's own,
// which has the system's packages (python3-numpy, python3-torch) where
// PATH's is a pyenv or venv interpreter without them.
func candidates() []string { return []string{"python3", "/usr/bin/python3"} }

// With returns the first candidate that imports every module given.
func With(modules ...string) (Python, bool) {
	for _, c := range candidates() {
		path, err := exec.LookPath(c)
		if err == nil && Python(path).Has(modules...) {
			return Python(path), true
		}
	}
	return "", false
}

// Require returns an interpreter that imports every module given. Where
// none does it skips t, naming what, or fails it under CI=true: `./build.sh
// test` installs python3, numpy, torch and torchvision, so a cross-check
// that does not run there is a broken set-up, not an optional one.
func Require(t testing.TB, what string, modules ...string) Python {
	t.Helper()
	if py, ok := With(modules...); ok {
		return py
	}
	need := "python3"
	if len(modules) > 0 {
		need += " with " + strings.Join(modules, ", ")
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: no %s among %v (CI=true; ./build.sh test installs them)", what, need, candidates())
	}
	t.Skipf("no %s among %v: skipping %s", need, candidates(), what)
	return ""
}

// Has reports whether py imports every module given.
func (py Python) Has(modules ...string) bool {
	if len(modules) == 0 {
		modules = []string{"sys"}
	}
	return exec.Command(string(py), "-c", "import "+strings.Join(modules, ", ")).Run() == nil
}

// Run runs py with args (a script file, or -c and a script's text, then
// the script's arguments) and returns what it printed, stdout and stderr
// together; a failing script fails t with that output.
func (py Python) Run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(string(py), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", py, args[0], err, out)
	}
	return string(out)
}
