package shaderspec

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// BaseOptions are passed to glslc for every shader: Vulkan 1.1 (SPIR-V 1.3,
// so subgroup operations are allowed), optimised, compute stage.
var BaseOptions = []string{"--target-env=vulkan1.1", "-O", "-fshader-stage=compute"}

// Entry is one compiled .spv in the manifest.
type Entry struct {
	SPV          string   `json:"spv"`
	Source       string   `json:"source"`
	SourceSHA256 string   `json:"source_sha256"`
	Options      []string `json:"options"`
	SPVSHA256    string   `json:"spv_sha256"`
}

// Manifest is shaders/manifest.json.
type Manifest struct {
	Generated string  `json:"generated"`
	Entries   []Entry `json:"entries"`
}

// Job is one .spv to build: its source and full glslc options, and the
// GLSL extensions it needs from glslc beyond what every supported glslc
// has (a "needs=EXT" word on its variant line).
type Job struct {
	SPV, Source string
	Variant     string // the suffix of its variant line; "" for a source without
	Options     []string
	Needs       []string
}

// Jobs lists what every .comp in dir compiles to: one job per variant line
// of the source or of a file it includes, or else one. The texts it returns,
// keyed by source, are what the manifest hashes: the source followed by
// every file it includes (`#include "name.glsl"`, a file of dir), so that
// editing an included file makes its users stale.
func Jobs(dir string) ([]Job, map[string][]byte, error) {
	srcs, err := filepath.Glob(filepath.Join(dir, "*.comp"))
	if err != nil {
		return nil, nil, err
	}
	if len(srcs) == 0 {
		return nil, nil, fmt.Errorf("no .comp shader sources in %s", dir)
	}
	sort.Strings(srcs)
	var out []Job
	texts := map[string][]byte{}
	for _, path := range srcs {
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		src := filepath.Base(path)
		texts[src] = text
		var variants []Job
		included := map[string]bool{}
		// scan adds the variant lines of text and reads its includes (a
		// variant line of an included file counts once, where it is first
		// included: sources can share their variants).
		var scan func(text []byte) error
		scan = func(text []byte) error {
			sc := bufio.NewScanner(bytes.NewReader(text))
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if rest, ok := strings.CutPrefix(line, "// variant:"); ok {
					j, err := variantJob(src, rest)
					if err != nil {
						return err
					}
					variants = append(variants, j)
				}
				if rest, ok := strings.CutPrefix(line, "#include"); ok {
					name := strings.Trim(strings.TrimSpace(rest), `"`)
					if name == "" || strings.ContainsAny(name, "/\\<>") || !strings.HasSuffix(name, ".glsl") {
						return fmt.Errorf("%s: #include %s: only \"<name>.glsl\" files of the shader directory can be included", src, rest)
					}
					inc, err := os.ReadFile(filepath.Join(dir, name))
					if err != nil {
						return fmt.Errorf("%s: #include: %w", src, err)
					}
					texts[src] = append(append(append(texts[src], "\x00#include "...), name+"\n"...), inc...)
					if !included[name] {
						included[name] = true
						if err := scan(inc); err != nil {
							return err
						}
					}
				}
			}
			return nil
		}
		if err := scan(text); err != nil {
			return nil, nil, err
		}
		if len(variants) == 0 {
			variants = []Job{{SPV: strings.TrimSuffix(src, ".comp") + ".spv", Source: src, Options: append([]string(nil), BaseOptions...)}}
		}
		out = append(out, variants...)
	}
	return out, texts, nil
}

// variantJob is the job of the variant line "// variant:<rest>" of src.
func variantJob(src, rest string) (Job, error) {
	f := strings.Fields(rest)
	if len(f) == 0 {
		return Job{}, fmt.Errorf("%s: empty variant line", src)
	}
	opts := append([]string(nil), BaseOptions...)
	var needs []string
	for _, w := range f[1:] {
		if ext, ok := strings.CutPrefix(w, "needs="); ok {
			needs = append(needs, ext)
		} else {
			opts = append(opts, w)
		}
	}
	base := strings.TrimSuffix(src, ".comp")
	return Job{SPV: base + "_" + f[0] + ".spv", Source: src, Variant: f[0], Options: opts, Needs: needs}, nil
}

// Sum is the hex sha256 of b.
func Sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Check returns an error naming every .spv in dir that is missing, or whose
// source hash or compile options differ from the manifest, or whose bytes
// differ from the hash recorded when it was generated, or else when
// VariantsFile is not what the variant lines give. It never runs glslc.
func Check(dir string) error {
	js, texts, err := Jobs(dir)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "manifest.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s: %w (run go generate ./shaders)", path, err)
	}
	have := map[string]Entry{}
	for _, e := range m.Entries {
		have[e.SPV] = e
	}
	var stale []string
	for _, j := range js {
		e, ok := have[j.SPV]
		spv, rerr := os.ReadFile(filepath.Join(dir, j.SPV))
		if !ok || rerr != nil || e.SourceSHA256 != Sum(texts[j.Source]) ||
			strings.Join(e.Options, " ") != strings.Join(j.Options, " ") || e.SPVSHA256 != Sum(spv) {
			stale = append(stale, j.SPV)
		}
	}
	if len(m.Entries) != len(js) {
		stale = append(stale, fmt.Sprintf("(manifest has %d entries, sources give %d)", len(m.Entries), len(js)))
	}
	if len(stale) > 0 {
		return fmt.Errorf("stale or missing SPIR-V (run go generate ./shaders): %s", strings.Join(stale, ", "))
	}
	return checkGoVariants(dir)
}

// Generate compiles with glslc every job whose .spv is stale (or every job
// when all is set) and writes manifest.json; .spv files without a source
// are removed; VariantsFile is rewritten where it changed. Up-to-date entries are kept as they are, so that compiling
// one new shader with another glslc leaves the others' bytes alone. A job
// that needs a GLSL extension this glslc lacks is kept as it is (even with
// all); where it is stale, Generate fails naming it (after writing
// everything else). The committed SPIR-V comes from Debian 12's glslc,
// the cooperative-matrix variants from Debian 13's: run this with the
// older one first, then the newer one (which then finds only those stale).
func Generate(dir, glslc string, all bool) error {
	js, texts, err := Jobs(dir)
	if err != nil {
		return err
	}
	old := map[string]Entry{}
	if raw, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err == nil {
		var om Manifest
		if json.Unmarshal(raw, &om) == nil {
			for _, e := range om.Entries {
				old[e.SPV] = e
			}
		}
	}
	m := Manifest{Generated: "Code generated by tools/shadergen; DO NOT EDIT."}
	keep := map[string]bool{}
	lacks := map[string]bool{}
	var skipped []string
	for _, j := range js {
		keep[j.SPV] = true
		if e, ok := old[j.SPV]; ok && !all && upToDate(dir, j, e, texts) {
			m.Entries = append(m.Entries, e)
			continue
		}
		if missing := missingExtensions(glslc, j.Needs, lacks); len(missing) > 0 {
			// Keep what a newer glslc built; fail only where it is stale.
			e, ok := old[j.SPV]
			if ok {
				m.Entries = append(m.Entries, e)
			}
			if !ok || !upToDate(dir, j, e, texts) {
				skipped = append(skipped, fmt.Sprintf("%s (needs %s)", j.SPV, strings.Join(missing, ", ")))
			}
			continue
		}
		args := append(append([]string(nil), j.Options...), "-o", filepath.Join(dir, j.SPV), filepath.Join(dir, j.Source))
		if out, err := exec.Command(glslc, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("glslc %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		spv, err := os.ReadFile(filepath.Join(dir, j.SPV))
		if err != nil {
			return err
		}
		m.Entries = append(m.Entries, Entry{SPV: j.SPV, Source: j.Source, SourceSHA256: Sum(texts[j.Source]), Options: j.Options, SPVSHA256: Sum(spv)})
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.spv"))
	for _, p := range files {
		if !keep[filepath.Base(p)] {
			os.Remove(p)
		}
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	if err := writeGoVariants(dir); err != nil {
		return err
	}
	if len(skipped) > 0 {
		return fmt.Errorf("%s lacks GLSL extensions; still stale: %s (compile them with a newer glslc, e.g. Debian 13's: go run ./tools/shadergen -glslc <it>)", glslc, strings.Join(skipped, ", "))
	}
	return nil
}

// upToDate reports whether entry e still describes job j: same source
// hash and options, and the .spv on disk has the recorded bytes.
func upToDate(dir string, j Job, e Entry, texts map[string][]byte) bool {
	spv, err := os.ReadFile(filepath.Join(dir, j.SPV))
	return err == nil && e.Source == j.Source && e.SourceSHA256 == Sum(texts[j.Source]) &&
		strings.Join(e.Options, " ") == strings.Join(j.Options, " ") && e.SPVSHA256 == Sum(spv)
}

// missingExtensions returns the extensions of needs that glslc cannot
// compile (probed once each with a one-line shader; results cached in
// lacks, true = missing).
func missingExtensions(glslc string, needs []string, lacks map[string]bool) []string {
	var out []string
	for _, ext := range needs {
		miss, ok := lacks[ext]
		if !ok {
			miss = !glslcHas(glslc, ext)
			lacks[ext] = miss
		}
		if miss {
			out = append(out, ext)
		}
	}
	return out
}

// glslcHas compiles an empty compute shader that requires ext.
func glslcHas(glslc, ext string) bool {
	tmp, err := os.MkdirTemp("", "shadergen-probe")
	if err != nil {
		return false
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "probe.comp")
	body := "#version 450\n#extension " + ext + " : require\nlayout(local_size_x = 1) in;\nvoid main() {}\n"
	if os.WriteFile(src, []byte(body), 0o644) != nil {
		return false
	}
	args := append(append([]string(nil), BaseOptions...), "-o", filepath.Join(tmp, "probe.spv"), src)
	return exec.Command(glslc, args...).Run() == nil
}

// CompileCheck compiles every job with glslc into a temporary directory
// (nothing in dir changes), so that a source this glslc rejects is caught
// even when its committed .spv is up to date.
func CompileCheck(dir, glslc string) error {
	js, _, err := Jobs(dir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "shadergen-check")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var bad, skipped []string
	lacks := map[string]bool{}
	defer func() {
		if len(skipped) > 0 {
			fmt.Fprintf(os.Stderr, "shadergen: %s lacks %s: compile check of %d shader(s) skipped (%s, ...; their committed SPIR-V is still hash-checked)\n",
				glslc, strings.Join(sortedTrue(lacks), ", "), len(skipped), skipped[0])
		}
	}()
	for _, j := range js {
		if missing := missingExtensions(glslc, j.Needs, lacks); len(missing) > 0 {
			skipped = append(skipped, j.SPV)
			continue
		}
		args := append(append([]string(nil), j.Options...), "-o", filepath.Join(tmp, j.SPV), filepath.Join(dir, j.Source))
		if out, err := exec.Command(glslc, args...).CombinedOutput(); err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v\n%s", j.SPV, err, out))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("glslc rejects %d shader(s):\n%s", len(bad), strings.Join(bad, "\n"))
	}
	return nil
}

// sortedTrue lists the keys of m whose value is true, sorted.
func sortedTrue(m map[string]bool) []string {
	var out []string
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
