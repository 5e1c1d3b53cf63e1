package gemm

import (
	"fmt"
	"math"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Cooperative matrices: the device side (queries, features, the variant)
// is vkrt's (internal/vkrt/coopmat.go); these are the GEMM family's
// self-check, kernels and input maxima.

// SelfCheck runs one small product (133x70x40, partial tiles) on
// the cooperative-matrix kernel and compares it with a float64 product of
// the float16-rounded inputs, so that a driver that builds the kernel but
// runs it with another subgroup layout than the variant assumes (or
// miscompiles it) is caught when the device opens, not after a training
// run. A pipeline the driver cannot build is reported the same way,
// without becoming the device's sticky error.
func (o *Ops) SelfCheck() error {
	for _, kernel := range o.coopMatKernels() {
		if err := o.coopMatCheckKernel(kernel); err != nil {
			return err
		}
	}
	return nil
}

// coopMatKernels are the cooperative-matrix GEMM kernels this device
// can run: "coopmat" (gemm_tiled_128x128_<cm>) and, where its shared
// memory fits, "coopmat_db" (the double-buffered one).
func (o *Ops) coopMatKernels() []string {
	if vkrt.CoopMatShared(o.cm, 128, 16, true) <= int(o.Limit.MaxComputeSharedMemorySize) {
		return []string{"coopmat", "coopmat_db"}
	}
	return []string{"coopmat"}
}

// coopMatCheckKernel is the self-check of one GEMM kernel.
func (o *Ops) coopMatCheckKernel(kernel string) error {
	const m, n, k = 133, 70, 40
	shader, _, _, _ := o.kernel(kernel, false, false, m, n, k)
	if err := o.RT.Pipeline(shader, []uint32{0, 0}, 4); err != nil { // C, A, B, the input maxima
		return fmt.Errorf("%s: %w", shader, err)
	}
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = float32(math.Sin(0.37*float64(i) + 0.1))
	}
	for i := range b {
		b[i] = float32(math.Cos(0.53*float64(i) - 0.2))
	}
	at, bt, ct := o.RT.New(m, k), o.RT.New(k, n), o.RT.New(m, n)
	defer at.Release()
	defer bt.Release()
	defer ct.Release()
	o.RT.Upload(at, a)
	o.RT.Upload(bt, b)
	o.Record(kernel, false, false, 1, m, n, k, 1, at, bt, 0, ct)
	got := make([]float32, m*n)
	if err := o.RT.Download(ct, got); err != nil {
		return err
	}
	for i := range a {
		a[i] = engine.RoundFloat16(a[i])
	}
	for i := range b {
		b[i] = engine.RoundFloat16(b[i])
	}
	want := make([]float32, m*n)
	engine.RefGemm(false, false, m, n, k, 1, a, b, 0, want) // float64 sums
	bad := 0
	var first string
	for i := range want {
		if diff := math.Abs(float64(got[i] - want[i])); !(diff <= 1e-5*(k+2)+math.Ldexp(1, -13)) {
			if bad == 0 {
				first = fmt.Sprintf("C[%d,%d] = %g, want %g", i/n, i%n, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%s computed %d of %d elements of a %dx%dx%d product wrongly (%s)", shader, bad, m*n, m, n, k, first)
	}
	return nil
}

// coopMatKernel is the cooperative-matrix GEMM kernel of every
// product: coopmat, or coopmat_db when Options.GemmVariant asks for it.
func (o *Ops) coopMatKernel() string {
	if o.forced == "coopmat_db" {
		return "coopmat_db"
	}
	return "coopmat"
}

// CoopMatMax records the largest magnitudes of a and b (as float bits,
// words 0 and 1 of a new 2-word tensor: absmax.comp), the binding 3 from
// which the cooperative-matrix kernels take their per-tensor power-of-two
// input scales. The word of an engine.Float16 operand stays 0 (absmax.comp
// reads float32): the convolutions' _f16 tiles stage float16 operands
// unscaled and do not read it (coopmat_tile.glsl's CM_A_HALF, CM_B_HALF).
// Release it after recording the kernel.
func (o *Ops) CoopMatMax(a, b *engine.Tensor) *engine.Tensor {
	m := o.RT.New(2)
	for slot, x := range []*engine.Tensor{a, b} {
		if x.DType() != engine.Float16 {
			tune.AbsMax(o.RT, m, slot, x)
		}
	}
	return m
}
