package shaders

//go:generate go run simclr-vk/tools/shadergen -dir .

import (
	"embed"
	"encoding/binary"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.spv manifest.json
var files embed.FS

// SPIRV returns the SPIR-V words of the named shader ("add_f32", "gemm_tiled_64x64", ...).
func SPIRV(name string) ([]uint32, error) {
	raw, err := files.ReadFile(name + ".spv")
	if err != nil {
		return nil, fmt.Errorf("shaders: no shader %q (%v)", name, err)
	}
	if len(raw)%4 != 0 || len(raw) < 20 {
		return nil, fmt.Errorf("shaders: %s.spv has %d bytes, not a SPIR-V module", name, len(raw))
	}
	words := make([]uint32, len(raw)/4)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	if words[0] != 0x07230203 {
		return nil, fmt.Errorf("shaders: %s.spv: bad SPIR-V magic %#x", name, words[0])
	}
	return words, nil
}

// Names lists the embedded shaders, sorted.
func Names() []string {
	ents, _ := fs.Glob(files, "*.spv")
	out := make([]string, len(ents))
	for i, e := range ents {
		out[i] = strings.TrimSuffix(e, ".spv")
	}
	sort.Strings(out)
	return out
}
