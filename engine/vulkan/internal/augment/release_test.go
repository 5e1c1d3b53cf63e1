package augment

import (
	"slices"
	"testing"

	"simclr-vk/engine"
)

// squares is n 3-channel side x side images and one plain view of each.
func squares(n, side int) ([]engine.AugmentImage, []engine.AugmentView) {
	var images []engine.AugmentImage
	var views []engine.AugmentView
	for i := range n {
		pix := make([]uint8, 3*side*side)
		for k := range pix {
			pix[k] = uint8(k + 3*i)
		}
		images = append(images, engine.AugmentImage{C: 3, H: side, W: side, Pix: pix})
		views = append(views, engine.AugmentView{Image: i, CropW: side, CropH: side, Brightness: 1, Contrast: 1, Saturation: 1})
	}
	return images, views
}

// TestHostBufferReleased: the packed-bytes buffer, grown to nearly one
// upload by a batch of large images (60 KiB of a 64 KiB limit, the 256
// MiB default scaled down), is dropped after releaseAfter batches in a
// row that need under a quarter of it, and not before; a batch needing
// more restarts the count; steady large batches keep it, and so do
// small batches when the buffer is no more than an eighth of the limit.
// After the release the small batch packs the same words as fresh.
func TestHostBufferReleased(t *testing.T) {
	const limit = 64 << 10
	large, largeViews := squares(5, 64) // 61440 bytes, one upload
	mid, midViews := squares(1, 72)     // 15552 bytes: over a quarter of 61440
	small, smallViews := squares(4, 8)  // 768 bytes
	held := func(o *Ops) int64 { return 4 * int64(cap(o.words)) }

	o := &Ops{limit: limit}
	hostWork(t, o, large, largeViews)
	if got := held(o); got != 61440 {
		t.Fatalf("after the large batch the buffer holds %d bytes, want 61440", got)
	}
	first := &o.words[0]
	for range 5 {
		hostWork(t, o, large, largeViews)
	}
	if held(o) != 61440 || &o.words[0] != first {
		t.Errorf("steady large batches: the buffer (%d bytes) was replaced", held(o))
	}
	for i := range releaseAfter - 1 {
		hostWork(t, o, small, smallViews)
		if held(o) != 61440 {
			t.Fatalf("released after %d small batches, want %d", i+1, releaseAfter)
		}
	}
	hostWork(t, o, mid, midViews) // restarts the count
	for i := range releaseAfter - 1 {
		hostWork(t, o, small, smallViews)
		if held(o) != 61440 {
			t.Fatalf("after a batch of 15552 bytes: released after %d small batches, want %d", i+1, releaseAfter)
		}
	}
	got := hostWork(t, o, small, smallViews)
	if n := held(o); n != 0 {
		t.Errorf("after %d small batches in a row the buffer still holds %d bytes, want it released", releaseAfter, n)
	}
	want := hostWork(t, &Ops{limit: limit}, small, smallViews)
	for i := range want {
		if !slices.Equal(u32(got[i]), u32(want[i])) {
			t.Errorf("host array %d of the releasing batch differs from a fresh pack", i)
		}
	}

	// A buffer of an eighth of the limit or less is kept.
	o = &Ops{limit: 8 * 15552}
	hostWork(t, o, mid, midViews)
	for range 2 * releaseAfter {
		hostWork(t, o, small, smallViews)
	}
	if n := held(o); n != 15552 {
		t.Errorf("small batches after one of 15552 bytes, an eighth of the limit: the buffer holds %d bytes, want 15552 kept", n)
	}
}
