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
	src := "#version 450\n// variant: a -DM=1\n// variant: b -DM=2\nlayout(local_size_x = 1) in;\nvoid main() {}\n"
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
	if err := writeGoVariants(dir); err != nil {
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
			os.WriteFile(p, []byte(strings.Replace(string(b), "-DM=2", "-DM=3", 1)), 0o644)
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

// TestInclude: only "<name>.glsl" files of the directory can be included,
// and editing one makes its users stale.
func TestInclude(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.comp"), []byte("#version 450\n#include <y.glsl>\nvoid main() {}\n"), 0o644)
	if _, _, err := Jobs(dir); err == nil {
		t.Fatal("#include <y.glsl> was accepted")
	}
	os.WriteFile(filepath.Join(dir, "x.comp"), []byte("#version 450\n#include \"y.glsl\"\nvoid main() {}\n"), 0o644)
	if _, _, err := Jobs(dir); err == nil {
		t.Fatal("an #include of a missing file was accepted")
	}
	os.WriteFile(filepath.Join(dir, "y.glsl"), []byte("// one\n"), 0o644)
	_, t1, err := Jobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "y.glsl"), []byte("// two\n"), 0o644)
	_, t2, _ := Jobs(dir)
	if Sum(t1["x.comp"]) == Sum(t2["x.comp"]) {
		t.Fatal("editing the included file left the source hash unchanged")
	}
}

// fakeGlslc writes a glslc stand-in that copies its input to -o, logs each
// output name, and rejects (like an old glslc) any source or probe that
// requires GL_NEW_ext. It returns the script and its log.
func fakeGlslc(t *testing.T) (string, string) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	script := filepath.Join(dir, "glslc")
	body := "#!/bin/sh\nout=\"\"; src=\"\"; defs=\"\"\nwhile [ $# -gt 0 ]; do case \"$1\" in -o) out=\"$2\"; shift;; -D*) defs=\"$defs $1\";; -*) ;; *) src=\"$1\";; esac; shift; done\n" +
		"case \"$defs\" in *V4=1*) grep -q GL_NEW_ext \"$src\" && exit 1;; esac\n" +
		"grep -q 'GL_NEW_ext : require' \"$src\" && exit 1\n" +
		"echo \"$(basename \"$out\")\" >> " + log + "\n{ cat \"$src\"; echo \"$defs\"; } > \"$out\"\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script, log
}

// TestGenerateIncremental: Generate recompiles only stale jobs (all of
// them with all), keeps a job whose needed extension the glslc lacks
// when it is up to date, and fails naming it when it is stale.
func TestGenerateIncremental(t *testing.T) {
	glslc, log := fakeGlslc(t)
	dir := t.TempDir()
	src := "#version 450\n// variant: a -DM=1\n// variant: b needs=GL_NEW_ext -DV4=1\n#ifdef V4\n#extension GL_NEW_ext : enable\n#endif\nvoid main() {}\n"
	os.WriteFile(filepath.Join(dir, "op_forward.comp"), []byte(src), 0o644)
	js, _, err := Jobs(dir)
	if err != nil || len(js) != 2 || len(js[1].Needs) != 1 || js[1].Needs[0] != "GL_NEW_ext" || strings.Contains(strings.Join(js[1].Options, " "), "needs=") {
		t.Fatalf("jobs %+v, %v", js, err)
	}
	compiled := func() string {
		b, _ := os.ReadFile(log)
		os.Remove(log)
		return strings.Join(strings.Fields(string(b)), " ")
	}
	// The old glslc builds a, cannot build b: an error naming b.
	if err := Generate(dir, glslc, false); err == nil || !strings.Contains(err.Error(), "op_forward_b.spv") {
		t.Fatalf("Generate with b unbuildable: %v", err)
	}
	if got := compiled(); got != "op_forward_a.spv" {
		t.Fatalf("compiled %q", got)
	}
	// A "newer glslc" builds b (copy in the .spv and its manifest entry by
	// hand, as its run would).
	raw, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	var m Manifest
	json.Unmarshal(raw, &m)
	_, texts, _ := Jobs(dir)
	spv := []byte("built by a newer glslc")
	os.WriteFile(filepath.Join(dir, "op_forward_b.spv"), spv, 0o644)
	m.Entries = append(m.Entries, Entry{SPV: "op_forward_b.spv", Source: "op_forward.comp", SourceSHA256: Sum(texts["op_forward.comp"]), Options: js[1].Options, SPVSHA256: Sum(spv)})
	raw, _ = json.Marshal(m)
	os.WriteFile(filepath.Join(dir, "manifest.json"), raw, 0o644)
	if err := Check(dir); err != nil {
		t.Fatal(err)
	}
	// Nothing stale: nothing compiled; all: a again, b kept as it is.
	if err := Generate(dir, glslc, false); err != nil {
		t.Fatal(err)
	}
	if got := compiled(); got != "" {
		t.Fatalf("up-to-date tree compiled %q", got)
	}
	if err := Generate(dir, glslc, true); err != nil {
		t.Fatal(err)
	}
	if got := compiled(); got != "op_forward_a.spv" {
		t.Fatalf("all compiled %q", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "op_forward_b.spv")); string(b) != string(spv) {
		t.Fatal("b was overwritten")
	}
	if err := Check(dir); err != nil {
		t.Fatal(err)
	}
	// CompileCheck skips b with this glslc instead of failing.
	if err := CompileCheck(dir, glslc); err != nil {
		t.Fatal(err)
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

// TestGoVariants: the generated Go file has each variant's defines as
// typed fields, Check fails when it is stale, and a define without a
// field is an error.
func TestGoVariants(t *testing.T) {
	dir := writeFakeTree(t)
	text, err := GoVariants(dir)
	if err != nil || !strings.Contains(string(text), `"op_forward": {`) || !strings.Contains(string(text), `{Suffix: "b", M: 2},`) {
		t.Fatalf("GoVariants = %s, %v", text, err)
	}
	os.WriteFile(filepath.Join(dir, VariantsFile), append(text, "// edited\n"...), 0o644)
	if err := Check(dir); err == nil || !strings.Contains(err.Error(), VariantsFile) {
		t.Fatalf("Check with a stale %s: %v", VariantsFile, err)
	}
	os.WriteFile(filepath.Join(dir, "x.comp"), []byte("#version 450\n// variant: a -DNO_FIELD=1\nvoid main() {}\n"), 0o644)
	if _, err := GoVariants(dir); err == nil || !strings.Contains(err.Error(), "NO_FIELD") {
		t.Fatalf("GoVariants with -DNO_FIELD: %v", err)
	}
}

// TestGoVariantsSharedRun: a run of at least minSharedRun variants that
// two sources' lists share is written once, as a variable both lists
// join in; a shorter common run stays inline.
func TestGoVariantsSharedRun(t *testing.T) {
	dir := t.TempDir()
	common := "// variant: c -DM=3\n// variant: d -DM=4\n// variant: e -DM=5\n"
	os.WriteFile(filepath.Join(dir, "p.comp"), []byte("#version 450\n// variant: a -DM=1\n"+common+"void main() {}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "q.comp"), []byte("#version 450\n"+common+"// variant: b -DM=2\n// variant: a -DM=1\n// variant: c -DM=3\nvoid main() {}\n"), 0o644)
	text, err := GoVariants(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := string(text)
	for lit, want := range map[string]int{
		`{Suffix: "d", M: 4}`:          1,
		`{Suffix: "a", M: 1}`:          2,
		`{Suffix: "c", M: 3}`:          2, // once in the run, once inline in q
		"variantsCToE,":                2,
		"var variantsCToE = []Variant": 1,
		`import "slices"`:              1,
	} {
		if n := strings.Count(got, lit); n != want {
			t.Errorf("%s %d times, want %d, in:\n%s", lit, n, want, got)
		}
	}
}

// TestIncludedVariants: variant lines of an included file are the
// including sources' variants, counted once however often it is included.
func TestIncludedVariants(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "v.glsl"), []byte("// variant: a -DM=1\n// variant: b -DM=2\n"), 0o644)
	for _, src := range []string{"p.comp", "q.comp"} {
		os.WriteFile(filepath.Join(dir, src), []byte("#version 450\n// variant: z -DM=3\n#include \"v.glsl\"\n#include \"v.glsl\"\nvoid main() {}\n"), 0o644)
	}
	js, _, err := Jobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range js {
		got = append(got, j.SPV)
	}
	if want := "p_z.spv p_a.spv p_b.spv q_z.spv q_a.spv q_b.spv"; strings.Join(got, " ") != want {
		t.Fatalf("jobs %q, want %q", got, want)
	}
}
