package augment

import (
	"math"
	"slices"
	"testing"

	"simclr-vk/engine"
)

// batch is n 3-channel images of different sizes and two views of each,
// one of them (the first with first, else the second) jittering, blurring
// and normalising.
func batch(n int, first bool) ([]engine.AugmentImage, []engine.AugmentView) {
	var images []engine.AugmentImage
	var views []engine.AugmentView
	for i := range n {
		h, w := 5+i, 6+i%4
		pix := make([]uint8, 3*h*w)
		for k := range pix {
			pix[k] = uint8(k*31 + i*7)
		}
		images = append(images, engine.AugmentImage{C: 3, H: h, W: w, Pix: pix})
		plain := engine.AugmentView{Image: i, CropW: w, CropH: h, Brightness: 1, Contrast: 1, Saturation: 1}
		busy := engine.AugmentView{Image: i, CropX: 1, CropW: w - 1, CropH: h, Jitter: true, Order: [4]int{3, 2, 1, 0},
			Brightness: 1.1, Contrast: 0.9, Saturation: 1.2, Hue: 0.1, Blur: true, Kernel: 3 + 2*(i%3), Sigma: 0.4 + 0.1*float64(i),
			Mean: []float32{0.4, 0.5, 0.6}, Std: []float32{0.2, 0.3, 0.4}}
		if first {
			plain, busy = busy, plain
		}
		views = append(views, plain, busy)
	}
	return images, views
}

// hostWork is what Views packs on the host for one batch: the view table,
// the taps and each upload's words and view list, copied out of o.
func hostWork(t testing.TB, o *Ops, images []engine.AugmentImage, views []engine.AugmentView) [][]float32 {
	var out [][]float32
	err := o.host(images, views, func(table, taps []float32, _ uint32) {
		out = append(out, slices.Clone(table), slices.Clone(taps))
	}, func(ch chunk, words []float32) {
		out = append(out, slices.Clone(words), slices.Clone(ch.views))
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// hostOnly is the host work of a batch with nothing kept (what the
// allocation checks time).
func hostOnly(o *Ops, images []engine.AugmentImage, views []engine.AugmentView) {
	o.host(images, views, func([]float32, []float32, uint32) {}, func(chunk, []float32) {})
}

// TestHostBuffersReused: a batch packed with buffers left by a larger one
// equals the same batch packed fresh, bit for bit, and once warm the host
// work of a batch allocates nothing.
func TestHostBuffersReused(t *testing.T) {
	const limit = 400 // several uploads per batch
	small, smallViews := batch(4, false)
	large, largeViews := batch(9, true)
	want := hostWork(t, &Ops{limit: limit}, small, smallViews)
	o := &Ops{limit: limit}
	hostWork(t, o, large, largeViews)
	got := hostWork(t, o, small, smallViews)
	if len(got) != len(want) {
		t.Fatalf("reused buffers give %d host arrays, fresh ones %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(u32(got[i]), u32(want[i])) {
			t.Errorf("host array %d after a larger batch: %v, fresh: %v", i, got[i], want[i])
		}
	}
	run := func() { hostOnly(o, small, smallViews) }
	if n := testing.AllocsPerRun(10, run); n != 0 {
		t.Errorf("a warm batch's host work allocated %v times, want 0", n)
	}
}

// u32 is the bits of x, so that NaN-carrying words compare exactly.
func u32(x []float32) []uint32 {
	out := make([]uint32, len(x))
	for i, v := range x {
		out[i] = math.Float32bits(v)
	}
	return out
}
