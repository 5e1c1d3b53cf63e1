package data

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"testing"

	"simclr-vk/internal/alloctest"
)

// evalShapes are (C, H, W, s) cases for EvalTransform: odd and even
// sizes, upscaling, downscaling (by a little and by a lot), one side
// unchanged, both orientations, extreme aspect ratios and crops whose
// offset rounds half to even.
var evalShapes = [][4]int{
	{1, 4, 6, 2}, {1, 6, 4, 2}, {3, 7, 5, 3}, {3, 5, 7, 3}, {1, 9, 9, 4},
	{3, 2, 3, 5}, {3, 3, 2, 5}, {1, 1, 1, 3}, {1, 1, 17, 4}, {1, 17, 1, 4},
	{3, 31, 47, 8}, {3, 47, 31, 8}, {1, 33, 100, 7}, {1, 100, 33, 7},
	{3, 8, 13, 8}, {3, 13, 8, 8}, {1, 5, 12, 11}, {1, 12, 5, 11},
	{3, 64, 65, 32}, {3, 65, 64, 32}, {1, 3, 250, 16}, {1, 250, 3, 16},
	{3, 96, 128, 24}, {3, 128, 96, 24}, {1, 21, 22, 23}, {1, 2, 201, 9},
	{3, 40, 40, 13}, {1, 7, 7, 7}, {1, 6, 9, 6}, {1, 10, 5, 3},
}

// testPixels is a deterministic image of the given shape (an LCG, so the
// pinned hash depends on nothing outside this file).
func testPixels(c, h, w int) Image {
	im := Image{C: c, H: h, W: w, Pix: make([]uint8, c*h*w)}
	x := uint32(h*7919 + w*104729 + c)
	for i := range im.Pix {
		x = x*1664525 + 1013904223
		im.Pix[i] = uint8(x >> 24)
	}
	return im
}

// fullResizeThenCrop is EvalTransform as it was before it computed only
// the kept part: the whole Resize(s) (rows then columns of taps over every
// output, each intermediate value a float32 sum in tap order), then
// CenterCrop(s). It is the reference the cropped computation must match
// bit for bit.
func fullResizeThenCrop(im Image, s int) Image {
	rh, rw := ResizedSize(im.H, im.W, s)
	if rh == im.H && rw == im.W {
		return CentreCrop(im, s)
	}
	xs, ys := resampleWeights(im.W, rw, 0, rw), resampleWeights(im.H, rh, 0, rh)
	full := Image{C: im.C, H: rh, W: rw, Pix: make([]uint8, im.C*rh*rw)}
	inter := make([]float32, im.H*rw) // one channel, horizontally resized
	for c := range im.C {
		for i := range inter {
			y, x := i/rw, i%rw
			var v float32
			for k, wt := range xs.w[x] {
				v += wt * float32(im.Pix[(c*im.H+y)*im.W+xs.first[x]+k])
			}
			inter[i] = v
		}
		for i := range rh * rw {
			y, x := i/rw, i%rw
			var v float32
			for k, wt := range ys.w[y] {
				v += wt * inter[(ys.first[y]+k)*rw+x]
			}
			full.Pix[c*rh*rw+i] = uint8(math.Round(float64(min(max(v, 0), 255))))
		}
	}
	return CentreCrop(full, s)
}

// TestEvalTransformMatchesFullResize checks EvalTransform against the full
// resize then crop on every shape, and pins the outputs' SHA-256 as
// computed by the full-resize implementation before the change (so a
// change in the shared taps shows too).
func TestEvalTransformMatchesFullResize(t *testing.T) {
	h := sha256.New()
	for _, sh := range evalShapes {
		im := testPixels(sh[0], sh[1], sh[2])
		got, want := EvalTransform(im, sh[3]), fullResizeThenCrop(im, sh[3])
		if got.C != want.C || got.H != sh[3] || got.W != sh[3] || string(got.Pix) != string(want.Pix) {
			t.Errorf("%dx%dx%d to %d: %dx%dx%d %v, want %v", sh[0], sh[1], sh[2], sh[3], got.C, got.H, got.W, got.Pix, want.Pix)
		}
		h.Write(got.Pix)
	}
	const pinned = "3a12c7096de414afe5c11c27cf52d2b9b813d9dc3f343cde13a24a47b9ef039f"
	if sum := hex.EncodeToString(h.Sum(nil)); sum != pinned {
		t.Errorf("outputs' SHA-256 %s, pinned %s", sum, pinned)
	}
}

// TestEvalTransformExtremeAspect runs 1 x 1,000,000 and 1,000,000 x 1
// images (which the full resize would take to 224 x 224,000,000) and
// checks that EvalTransform allocates about its output and the taps, not
// the resized image.
func TestEvalTransformExtremeAspect(t *testing.T) {
	const s, n = 224, 1_000_000
	for _, hw := range [][2]int{{1, n}, {n, 1}} {
		im := testPixels(3, hw[0], hw[1])
		var out Image
		alloctest.Max(t, fmt.Sprintf("EvalTransform of %dx%d to %d", hw[0], hw[1], s), len(im.Pix), 1<<20, func() {
			out = EvalTransform(im, s)
		})
		if out.C != 3 || out.H != s || out.W != s || len(out.Pix) != 3*s*s {
			t.Fatalf("%dx%d: %dx%dx%d", hw[0], hw[1], out.C, out.H, out.W)
		}
		// Upscaling 1 pixel across keeps it: every output row (or column)
		// is the one input row's centre part resampled, so constant along
		// the upscaled axis.
		for c := range 3 {
			for y := range s {
				for x := range s {
					a, b := out.At(c, y, x), out.At(c, 0, x)
					if hw[0] == n {
						b = out.At(c, y, 0)
					}
					if a != b {
						t.Fatalf("%dx%d: channel %d (%d,%d) = %d, want %d", hw[0], hw[1], c, y, x, a, b)
					}
				}
			}
		}
	}
}
