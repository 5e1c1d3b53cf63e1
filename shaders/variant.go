package shaders

import "fmt"

// Variant is one "// variant: <suffix> -DNAME=VALUE ..." line of a shader
// source (its .spv is <source>_<suffix>), its defines as typed fields
// (zero where the line does not define them), listed in variants_gen.go,
// which tools/shadergen generates from the lines: a variant is declared
// once, in its source, and engine/vulkan takes its geometry from here.
type Variant struct {
	Suffix string
	// The block tile (BM x BN, BK deep) and outputs per invocation (TM x
	// TN) of the tiled GEMMs (gemm_tile.glsl); TM x TN alone: gemm_subgroup,
	// gemm_regblock, gemm_vec4.
	BM, BN, BK, TM, TN int
	DB                 bool // double-buffered tiles
	V4                 bool // vec4 global loads
	SplitK             bool // writes split-K partial products
	// Cooperative-matrix variants (coopmat_tile.glsl): fragment CMF x CMF,
	// subgroup size CMSGS, CMWM x CMWN outputs per subgroup.
	CMF, CMSGS, CMWM, CMWN int
	NBuf, SL               int // ntxent_*_gemm: tile buffers, subgroup lanes
	M                      int // winograd_*: the m of F(m x m, 3x3)
	Vec                    int // batchnorm_*: elements per load (1 or 4)
	// Half is the bitmask of the bindings that hold engine.Float16
	// tensors (bit i: binding i, uint16_t elements; eltwise.glsl), 0: none.
	Half int
	// F16: the batch-norm kernels' (N, C, HW) tensors are engine.Float16
	// (batchnorm_half.glsl).
	F16   bool
	Needs string // GLSL extensions a newer glslc must have
}

// WG is the local size of a tiled GEMM variant: (BM/CMWM)*(BN/CMWN)*CMSGS
// invocations for a cooperative-matrix one, else (BM/TM)*(BN/TN).
func (v Variant) WG() int {
	if v.CMSGS != 0 {
		return (v.BM / v.CMWM) * (v.BN / v.CMWN) * v.CMSGS
	}
	return (v.BM / v.TM) * (v.BN / v.TN)
}

// Variants returns the variants of source ("gemm_tiled", ...) in the order
// of its variant lines; nil for a source without.
func Variants(source string) []Variant {
	return append([]Variant(nil), variants[source]...)
}

// VariantOf returns source's variant with suffix.
func VariantOf(source, suffix string) (Variant, bool) {
	for _, v := range variants[source] {
		if v.Suffix == suffix {
			return v, true
		}
	}
	return Variant{}, false
}

// MustVariant is VariantOf for the variants a program names in its own
// tables: it panics when source has no such variant.
func MustVariant(source, suffix string) Variant {
	v, ok := VariantOf(source, suffix)
	if !ok {
		panic(fmt.Sprintf("shaders: %s has no variant %q", source, suffix))
	}
	return v
}
