package vulkan

import (
	"fmt"
	"math"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Cooperative matrices: the device side (queries, features, the variant)
// is vkrt's (internal/vkrt/coopmat.go); these are the GEMM family's
// self-check and input maxima.

// ErrCoopMatUnsupported is returned by Open for CoopMat "on" on a device
// without usable cooperative matrices.
var ErrCoopMatUnsupported = vkrt.ErrCoopMatUnsupported

// ErrCoopMatSelfCheck is returned by Open for CoopMat "on" when the device
// reports usable cooperative matrices but the kernels fail their check
// (coopMatSelfCheck): a driver or kernel bug, not a missing feature, so
// tests fail on it instead of skipping.
var ErrCoopMatSelfCheck = vkrt.ErrCoopMatSelfCheck

// CoopMat returns the cooperative-matrix variant this device runs its
// matrix products with ("cm_s32", ...), or "" when it computes them in
// float32.
func (d *Device) CoopMat() string { return d.cm }

// MatmulInputRounding implements engine.MatmulRounder: float16 rounding
// when the matrix products run on cooperative matrices, else nil.
func (d *Device) MatmulInputRounding() func(float32) float32 {
	if d.cm == "" {
		return nil
	}
	return engine.RoundFloat16
}

// coopMatSelfCheck runs one small product (133x70x40, partial tiles) on
// the cooperative-matrix kernel and compares it with a float64 product of
// the float16-rounded inputs, so that a driver that builds the kernel but
// runs it with another subgroup layout than the variant assumes (or
// miscompiles it) is caught when the device opens, not after a training
// run. A pipeline the driver cannot build is reported the same way,
// without becoming the device's sticky error.
func (d *Device) coopMatSelfCheck() error {
	for _, kernel := range d.coopMatGemmKernels() {
		if err := d.coopMatCheckKernel(kernel); err != nil {
			return err
		}
	}
	return nil
}

// coopMatGemmKernels are the cooperative-matrix GEMM kernels this device
// can run: "coopmat" (gemm_tiled_128x128_<cm>) and, where its shared
// memory fits, "coopmat_db" (the double-buffered one).
func (d *Device) coopMatGemmKernels() []string {
	if vkrt.CoopMatShared(d.cm, 128, 16, true) <= int(d.limit.MaxComputeSharedMemorySize) {
		return []string{"coopmat", "coopmat_db"}
	}
	return []string{"coopmat"}
}

// coopMatCheckKernel is the self-check of one GEMM kernel.
func (d *Device) coopMatCheckKernel(kernel string) error {
	const m, n, k = 133, 70, 40
	shader, _, _, _ := d.gemmKernel(kernel, false, false, m, n, k)
	if err := d.rt.Pipeline(shader, []uint32{0, 0}, 4); err != nil { // C, A, B, the input maxima
		return fmt.Errorf("%s: %w", shader, err)
	}
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = float32(math.Sin(0.37*float64(i) + 0.1))
	}
	for i := range b {
		b[i] = float32(math.Cos(0.53*float64(i) - 0.2))
	}
	at, bt, ct := d.New(m, k), d.New(k, n), d.New(m, n)
	defer at.Release()
	defer bt.Release()
	defer ct.Release()
	d.Upload(at, a)
	d.Upload(bt, b)
	d.gemmRecord(kernel, false, false, 1, m, n, k, 1, at, bt, 0, ct)
	got := make([]float32, m*n)
	if err := d.Download(ct, got); err != nil {
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

// coopMatGemmKernel is the cooperative-matrix GEMM kernel of every
// product: coopmat, or coopmat_db when Options.GemmVariant asks for it.
func (d *Device) coopMatGemmKernel() string {
	if d.tune.forced == "coopmat_db" {
		return "coopmat_db"
	}
	return "coopmat"
}

// coopMatMax records the largest magnitudes of a and b (as float bits,
// words 0 and 1 of a new 2-word tensor: absmax.comp), the binding 3 from
// which the cooperative-matrix kernels take their per-tensor power-of-two
// input scales. Release it after recording the kernel.
func (d *Device) coopMatMax(a, b *engine.Tensor) *engine.Tensor {
	m := d.New(2)
	tune.AbsMax(d.rt, m, 0, a)
	tune.AbsMax(d.rt, m, 1, b)
	return m
}

// absMaxBits is absmax.comp's reference: the largest |x[i]| as float32
// bits (NaN bit patterns above +Inf).
func absMaxBits(x []float32) uint32 {
	var m uint32
	for _, v := range x {
		m = max(m, math.Float32bits(v)&0x7fffffff)
	}
	return m
}
