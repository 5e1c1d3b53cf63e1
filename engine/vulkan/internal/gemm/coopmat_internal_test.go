package gemm

import (
	"math"
	"math/rand"
	"testing"

	"simclr-vk/engine"
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

// TestAbsMaxFloat16: CoopMatMax leaves the word of a float16 operand 0
// (the _f16 tiles stage it unscaled and never read it; absmax.comp reads
// float32 and would take its packed pairs for float32 values) and still
// records the float32 operand's, in either slot.
func TestAbsMaxFloat16(t *testing.T) {
	d := openTest(t, vkrt.Config{}, Config{})
	if err := d.RT.Float16Storage(); err != nil {
		t.Skipf("no float16 storage: %v", err)
	}
	rng := rand.New(rand.NewSource(5))
	for _, n := range []int{1, 3, 257} {
		a, h := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i] = float32(rng.NormFloat64())
			h[i] = float32(1 + 100*rng.Float64()) // no zero word, wherever it is read
		}
		at, ht := d.RT.New(n), d.RT.NewFloat16(n)
		d.RT.Upload(at, a)
		d.RT.Upload(ht, h)
		for _, c := range []struct {
			x, y *engine.Tensor
			want [2]uint32
		}{{ht, at, [2]uint32{0, absMaxBits(a)}}, {at, ht, [2]uint32{absMaxBits(a), 0}}} {
			m := d.CoopMatMax(c.x, c.y)
			got := make([]float32, 2)
			if err := d.RT.Download(m, got); err != nil {
				t.Fatal(err)
			}
			for i, want := range c.want {
				if g := math.Float32bits(got[i]); g != want {
					t.Errorf("n=%d, %v and %v: slot %d %#x (%g), want %#x", n, c.x.DType(), c.y.DType(), i, g, got[i], want)
				}
			}
			m.Release()
		}
		at.Release()
		ht.Release()
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
