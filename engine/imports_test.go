package engine

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBackendsIndependent: no backend depends on another, directly or
// through other packages of this module; what they share lives in package
// engine (issue #20). It reads the import lines of the non-test files
// (tests may use the CPU backend as the reference: that is the spec).
func TestBackendsIndependent(t *testing.T) {
	const module = "simclr-vk/"
	backends := []string{"simclr-vk/engine/cpu", "simclr-vk/engine/vulkan"}
	for _, from := range backends {
		// via[pkg] is the package through which from reached pkg.
		via := map[string]string{from: ""}
		queue := []string{from}
		for len(queue) > 0 {
			pkg := queue[0]
			queue = queue[1:]
			for _, imp := range moduleImports(t, filepath.Join("..", strings.TrimPrefix(pkg, module))) {
				if !strings.HasPrefix(imp, module) {
					continue
				}
				if _, seen := via[imp]; !seen {
					via[imp] = pkg
					queue = append(queue, imp)
				}
			}
		}
		for _, to := range backends {
			if _, ok := via[to]; ok && to != from {
				chain := to
				for p := via[to]; p != ""; p = via[p] {
					chain = p + " -> " + chain
				}
				t.Errorf("backend %s imports backend %s (%s); move what they share into package engine", from, to, chain)
			}
		}
	}
}

// moduleImports returns the import paths of the non-test Go files in dir.
func moduleImports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s (%v)", dir, err)
	}
	var imps []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range af.Imports {
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				t.Fatalf("%s: import %s: %v", f, is.Path.Value, err)
			}
			imps = append(imps, p)
		}
	}
	return imps
}
