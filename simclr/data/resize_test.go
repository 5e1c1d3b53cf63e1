package data

import (
	"bytes"
	"testing"
)

// Upscaling pins the half-pixel bilinear taps and the rounding: a 2x2
// image with columns 0 and 3 becomes columns at -0.25 (clamped), 0.25,
// 0.75 and 1.25 (clamped) of the source: 0, 0.75, 2.25, 3, rounded to
// 0, 1, 2, 3, in every row and channel.
func TestResizeCentreCropTapsAndRounding(t *testing.T) {
	im := Image{C: 2, H: 2, W: 2, Pix: []uint8{0, 3, 0, 3, 0, 3, 0, 3}}
	out := ResizeCentreCrop(im, 4)
	want := bytes.Repeat([]uint8{0, 1, 2, 3}, 8)
	if !bytes.Equal(out.Pix, want) {
		t.Errorf("2x2 -> 4x4: %v, want %v", out.Pix, want)
	}
}
