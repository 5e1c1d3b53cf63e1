package vulkan

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"simclr-vk/engine/vulkan/internal/augment"
	"simclr-vk/engine/vulkan/internal/batchnorm"
	"simclr-vk/engine/vulkan/internal/conv"
	"simclr-vk/engine/vulkan/internal/eltwise"
	"simclr-vk/engine/vulkan/internal/float16"
	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/ntxent"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// glslSource returns shaders/<name> with each `#include "<file>"` line
// replaced by that file's text, expanded the same way (a file once, where
// it is first included, like an include guard), so that a push-constant
// block a family keeps in an include is read where it stands.
func glslSource(t *testing.T, name string, seen map[string]bool) []byte {
	t.Helper()
	src, err := os.ReadFile("../../shaders/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, line := range strings.SplitAfter(string(src), "\n") {
		inc, ok := strings.CutPrefix(strings.TrimSpace(line), "#include")
		if !ok {
			out = append(out, line...)
			continue
		}
		if inc = strings.Trim(strings.TrimSpace(inc), `"`); !seen[inc] {
			seen[inc] = true
			out = append(out, glslSource(t, inc, seen)...)
		}
	}
	return out
}

// glslPushBlocks returns, for each push-constant block of
// shaders/<shader>.comp and the files it includes, in source order
// (several under #ifdef variants), the scalar types ("uint", "int",
// "float") of its fields in order.
func glslPushBlocks(t *testing.T, shader string) [][]string {
	t.Helper()
	src := glslSource(t, shader+".comp", map[string]bool{})
	ms := regexp.MustCompile(`(?s)layout\(push_constant\) uniform \w+ \{(.*?)\}`).FindAllSubmatch(src, -1)
	if ms == nil {
		t.Fatalf("%s.comp: no push-constant block", shader)
	}
	var blocks [][]string
	for _, m := range ms {
		var types []string
		for _, decl := range strings.Split(string(m[1]), ";") {
			f := strings.Fields(strings.ReplaceAll(decl, ",", " "))
			if len(f) == 0 {
				continue
			}
			for range f[1:] { // "float a, b" declares two fields
				types = append(types, f[0])
			}
		}
		blocks = append(blocks, types)
	}
	return blocks
}

// familyShaders are the kernel tables of the op families under internal/
// (shader -> push struct).
var familyShaders = []map[string]any{augment.Shaders, batchnorm.Shaders, conv.Shaders, eltwise.Shaders, float16.Shaders, gemm.Shaders, ntxent.Shaders, tune.Shaders}

// TestPushConstants: every Go push struct mirrors the push-constant block
// of each shader it feeds field by field (same count, same scalar types,
// 4-byte fields at offsets 0, 4, 8, ... within the push range), and every
// shaders/*.comp is listed here, so a new kernel cannot skip the check.
// "name#i" is the i-th block of name.comp (gemm_tiled: split-K first; a
// family's table may use it too).
func TestPushConstants(t *testing.T) {
	goType := map[reflect.Kind]string{reflect.Uint32: "uint", reflect.Int32: "int", reflect.Float32: "float"}
	covered := map[string]bool{}
	type pushCase struct {
		push    any
		shaders []string
	}
	cases := []pushCase{
		{vkrt.PushFill{}, []string{"fill"}},
	}
	for _, table := range familyShaders {
		for sh, push := range table {
			cases = append(cases, pushCase{push, []string{sh}})
		}
	}
	for _, c := range cases {
		rt := reflect.TypeOf(c.push)
		var got []string
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			got = append(got, goType[f.Type.Kind()])
			if f.Offset != uintptr(4*i) {
				t.Errorf("%s.%s at offset %d, want %d", rt.Name(), f.Name, f.Offset, 4*i)
			}
		}
		if rt.Size() != uintptr(4*rt.NumField()) || rt.Size() > vkrt.PushRangeSize {
			t.Errorf("%s: %d bytes for %d fields (push range %d)", rt.Name(), rt.Size(), rt.NumField(), vkrt.PushRangeSize)
		}
		for _, sh := range c.shaders {
			name, idx := sh, 0
			if n, i, ok := strings.Cut(sh, "#"); ok {
				name, idx = n, int(i[0]-'0')
			}
			covered[name] = true
			blocks := glslPushBlocks(t, name)
			if idx >= len(blocks) {
				t.Errorf("%s.comp: %d push-constant blocks, want block %d", name, len(blocks), idx)
				continue
			}
			if want := blocks[idx]; !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Go fields %v, %s block %v", rt.Name(), got, sh, want)
			}
		}
	}
	srcs, err := filepath.Glob("../../shaders/*.comp")
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no shader sources: %v", err)
	}
	for _, p := range srcs {
		if name := strings.TrimSuffix(filepath.Base(p), ".comp"); !covered[name] {
			t.Errorf("%s: no Go push struct listed for it in TestPushConstants", filepath.Base(p))
		}
	}
}
