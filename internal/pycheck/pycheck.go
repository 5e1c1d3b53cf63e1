package pycheck

import (
	"os/exec"
	"strings"
	"testing"
)

// Require skips t, naming what, unless python3 is on PATH and imports
// every module given.
func Require(t testing.TB, what string, modules ...string) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skipf("python3 not found: skipping %s", what)
	}
	if len(modules) == 0 {
		return
	}
	if out, err := importing(modules).CombinedOutput(); err != nil {
		t.Skipf("%s not importable, skipping %s: %s", strings.Join(modules, ", "), what, strings.TrimSpace(string(out)))
	}
}

// Has reports whether python3 imports every module given.
func Has(modules ...string) bool {
	return importing(modules).Run() == nil
}

func importing(modules []string) *exec.Cmd {
	return exec.Command("python3", "-c", "import "+strings.Join(modules, ", "))
}

// Run runs python3 with args (a script file, or -c and a script's text,
// then the script's arguments) and returns what it printed, stdout and
// stderr together; a failing script fails t with that output.
func Run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("python3", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("python3 %s: %v\n%s", args[0], err, out)
	}
	return string(out)
}
