package gemm

import (
	"math"
	"math/rand"
	"testing"

	"simclr-vk/engine/vulkan/internal/vkrt"
)

// TestAbsMax: absmax.comp against absMaxBits on awkward lengths, signs,
// a NaN and a tensor of zeros, into two slots of one buffer.
func TestAbsMax(t *testing.T) {
	d := openTest(t, vkrt.Config{}, Config{})
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{1, 3, 255, 257, 1 << 18, 1<<18 + 13} {
		a := make([]float32, n)
		b := make([]float32, n)
		for i := range a {
			a[i] = float32(rng.NormFloat64())
		}
		a[rng.Intn(n)] = -1000 // the largest magnitude is negative
		if n > 1 {
			b[n-1] = float32(math.NaN())
		}
		at, bt := d.RT.New(n), d.RT.New(n)
		d.RT.Upload(at, a)
		d.RT.Upload(bt, b)
		m := d.CoopMatMax(at, bt)
		got := make([]float32, 2)
		if err := d.RT.Download(m, got); err != nil {
			t.Fatal(err)
		}
		for i, want := range []uint32{absMaxBits(a), absMaxBits(b)} {
			if g := math.Float32bits(got[i]); g != want {
				t.Errorf("n=%d slot %d: %#x (%g), want %#x (%g)", n, i, g, got[i], want, math.Float32frombits(want))
			}
		}
		at.Release()
		bt.Release()
		m.Release()
	}
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
