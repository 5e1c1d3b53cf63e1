package vulkan

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"
	"testing"

	"simclr-vk/engine"
)

// deviceExtras are the exported methods of *Device beyond engine.Backend
// and engine's optional interfaces (engineOptional), one per concern, as
// doc.go lists them (issue #20: the facade exports nothing else). A new
// query belongs in one of their groups (Plans, Profiler, Lab), not here.
var deviceExtras = []string{"Info", "Lab", "Plans", "Profiler", "ValidationMessages"}

// engineOptional are the optional interfaces of package engine that Device
// implements; their methods are part of its API like engine.Backend's.
var engineOptional = []reflect.Type{
	reflect.TypeFor[engine.DownloadStaller](),
	reflect.TypeFor[engine.MatmulRounder](),
	reflect.TypeFor[engine.ViewAugmenter](),
	reflect.TypeFor[engine.Float16Storer](),
}

// TestDeviceMethodSet: the exported methods of *Device declared in the
// package's non-test files (export_test.go's hooks are test-only) are
// exactly engine.Backend's, engineOptional's and deviceExtras; each extra
// is named in doc.go; and *Device implements every interface counted.
func TestDeviceMethodSet(t *testing.T) {
	want := map[string]string{}
	for _, it := range append([]reflect.Type{reflect.TypeFor[engine.Backend]()}, engineOptional...) {
		if !reflect.TypeFor[*Device]().Implements(it) {
			t.Errorf("*Device does not implement %v", it)
		}
		for i := range it.NumMethod() {
			want[it.Method(i).Name] = it.String()
		}
	}
	for _, m := range deviceExtras {
		want[m] = "the documented extras"
	}
	got := deviceMethods(t)
	for m, file := range got {
		if _, ok := want[m]; !ok {
			t.Errorf("%s: *Device exports %s, which is neither engine.Backend's, an engine optional interface's nor one of the documented extras %v: make it a method of Plans, Profiler or Lab (or, for an engine optional interface it implements, list that in engineOptional)", file, m, deviceExtras)
		}
	}
	for m, from := range want {
		if _, ok := got[m]; !ok {
			t.Errorf("*Device lacks %s (%s)", m, from)
		}
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range deviceExtras {
		if !strings.Contains(string(doc), "  - "+m+":") {
			t.Errorf("doc.go does not list the extra %s (\"  - %s: ...\")", m, m)
		}
	}
}

// deviceMethods returns the exported methods with receiver Device or
// *Device declared in the package's non-test files, with their file.
func deviceMethods(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok && id.Name == "Device" {
				got[fn.Name.Name] = name
			}
		}
	}
	if len(got) == 0 {
		t.Fatalf("found no methods of Device in the package's files")
	}
	return got
}
