package shaderspec

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeFakeTree writes one source with two variants, fake .spv files and a
// manifest that matches them, without running glslc.
func writeFakeTree(t *testing.T) string {
	dir := t.TempDir()
	src := "#version 450\n// variant: a -DX=1\n// variant: b -DX=2\nlayout(local_size_x = 1) in;\nvoid main() {}\n"
	if err := os.WriteFile(filepath.Join(dir, "op_forward.comp"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	js, texts, err := Jobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 2 || js[0].SPV != "op_forward_a.spv" || js[1].SPV != "op_forward_b.spv" {
		t.Fatalf("jobs %+v", js)
	}
	m := Manifest{}
	for _, j := range js {
		spv := []byte("fake spirv for " + j.SPV)
		if err := os.WriteFile(filepath.Join(dir, j.SPV), spv, 0o644); err != nil {
			t.Fatal(err)
		}
		m.Entries = append(m.Entries, Entry{SPV: j.SPV, Source: j.Source, SourceSHA256: Sum(texts[j.Source]), Options: j.Options, SPVSHA256: Sum(spv)})
	}
	raw, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckDetectsStaleness: Check passes on a consistent tree and names the
// .spv when its source, its options, its bytes or the file itself change.
func TestCheckDetectsStaleness(t *testing.T) {
	for name, breakIt := range map[string]func(dir string){
		"source edited": func(dir string) {
			p := filepath.Join(dir, "op_forward.comp")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append(b, []byte("// edit\n")...), 0o644)
		},
		"options changed": func(dir string) {
			p := filepath.Join(dir, "op_forward.comp")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "-DX=2", "-DX=3", 1)), 0o644)
		},
		"spv missing":  func(dir string) { os.Remove(filepath.Join(dir, "op_forward_b.spv")) },
		"spv modified": func(dir string) { os.WriteFile(filepath.Join(dir, "op_forward_a.spv"), []byte("other"), 0o644) },
		"new source": func(dir string) {
			os.WriteFile(filepath.Join(dir, "new_forward.comp"), []byte("#version 450\nvoid main() {}\n"), 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFakeTree(t)
			if err := Check(dir); err != nil {
				t.Fatalf("consistent tree: %v", err)
			}
			breakIt(dir)
			err := Check(dir)
			if err == nil || !strings.Contains(err.Error(), ".spv") {
				t.Fatalf("Check = %v, want an error naming the stale .spv", err)
			}
		})
	}
}

func TestIncludeRejected(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.comp"), []byte("#version 450\n#include \"y.glsl\"\nvoid main() {}\n"), 0o644)
	if _, _, err := Jobs(dir); err == nil {
		t.Fatal("a source with #include was accepted")
	}
}

// TestCompileCheck runs glslc where it is installed: a valid shader
// compiles, a broken one is reported.
func TestCompileCheck(t *testing.T) {
	if _, err := exec.LookPath("glslc"); err != nil {
		t.Skip("glslc not installed")
	}
	dir := writeFakeTree(t)
	if err := CompileCheck(dir, "glslc"); err != nil {
		t.Fatalf("valid shader: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "bad.comp"), []byte("#version 450\nvoid main() { undefined_thing(); }\n"), 0o644)
	if err := CompileCheck(dir, "glslc"); err == nil || !strings.Contains(err.Error(), "bad.spv") {
		t.Fatalf("broken shader: err = %v", err)
	}
}
