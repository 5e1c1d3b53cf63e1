package gemm

import (
	"fmt"
	"sync"

	"simclr-vk/engine"
	"simclr-vk/shaders"
)

// Float16 operands (engine/dtype_linear.go): Gemm and GemmBatched take a,
// b and c each float32 or float16, for the linear layers of a mixed step
// (activations and their gradients float16, weights and weight gradients
// float32). Only the general kernel, regblock (gemm_regblock.comp, no
// shared memory, runs on every device), has float16 variants:
// gemm_regblock_8x8_f16<operands>, one per combination (HALF: bit 0 C,
// bit 1 A, bit 2 B), loading uint16_t through half.glsl, summing in
// float32 and rounding a float16 C once, as the CPU emulation does. The
// tuned tiles, the vec4 and subgroup kernels, split-K and the
// cooperative-matrix kernels have none: gemm routes every product with a
// float16 operand to regblock before the shape class, the tuner or
// CoopMat is consulted (so none of them is ever picked for float16), and
// Record refuses a float16 operand on any other kernel.

var f32or16 = []engine.DType{engine.Float32, engine.Float16}

// halfMask is the HALF bitmask of a product's operands: bit 0 c, bit 1 a,
// bit 2 b stored as engine.Float16; 0 when all are float32.
func halfMask(a, b, c *engine.Tensor) int {
	m := 0
	for i, t := range []*engine.Tensor{c, a, b} {
		if t.DType() == engine.Float16 {
			m |= 1 << i
		}
	}
	return m
}

// halfShaders are regblock's 8x8 variants by HALF mask, from
// gemm_regblock.comp's variant lines, read once (shaders.Variants copies
// its table: not per product).
var halfShaders = sync.OnceValue(func() (t [8]string) {
	for _, v := range shaders.Variants("gemm_regblock") {
		if v.Half > 0 && v.Half < len(t) && v.TM == 8 && v.TN == 8 {
			t[v.Half] = "gemm_regblock_" + v.Suffix
		}
	}
	return t
})

// halfShader is regblock's variant for the float16 operands in half
// (halfMask, not 0).
func halfShader(half int) string {
	if half > 0 && half < 8 {
		if s := halfShaders()[half]; s != "" {
			return s
		}
	}
	panic(fmt.Sprintf("shaders: gemm_regblock has no 8x8 variant with HALF %d", half))
}

// kernelFor is the kernel a product runs on: regblock when an operand is
// float16 (half != 0), else the cooperative-matrix kernel with CoopMat,
// else its shape class's choice.
func (o *Ops) kernelFor(half, batch, m, n, k int) string {
	switch {
	case half != 0:
		return "regblock"
	case o.cm != "":
		// Cooperative matrices for every float32 product (coopmat.go): a
		// precision mode the user chose, not a tuning choice; GemmVariant
		// coopmat_db picks the double-buffered kernel.
		return o.coopMatKernel()
	}
	return o.Choice(Class(batch, m, n, k))
}

// checkHalf panics unless the kernel choice has the float16 variant the
// operands need (regblock, or none needed), and returns the shader for
// them, "" for float32 operands.
func checkHalf(op, choice string, a, b, c *engine.Tensor) string {
	half := halfMask(a, b, c)
	if half == 0 {
		return ""
	}
	if choice != "regblock" {
		panic(fmt.Sprintf("engine: %s: GEMM kernel %s has no float16 variant (a %v, b %v, c %v): float16 operands run on regblock only",
			op, choice, a.DType(), b.DType(), c.DType()))
	}
	return halfShader(half)
}
