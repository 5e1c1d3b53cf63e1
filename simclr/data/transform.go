package data

import (
	"math"
)

// ResizedSize is the size torchvision's Resize(s) gives an h x w image: the
// shorter side becomes s, the longer one s * long / short rounded down.
func ResizedSize(h, w, s int) (rh, rw int) {
	if h <= w {
		return s, max(1, int(int64(s)*int64(w)/int64(h)))
	}
	return max(1, int(int64(s)*int64(h)/int64(w))), s
}

// ResizeShorter returns im resized so that its shorter side is s (the
// longer one as ResizedSize), as torchvision's Resize(s) on a PIL image:
// Pillow's bilinear filter, whose support widens with the reduction factor
// when shrinking (anti-aliasing), applied to rows then columns, rounded to
// uint8. An image whose shorter side is already s is returned unchanged.
func ResizeShorter(im Image, s int) Image {
	rh, rw := ResizedSize(im.H, im.W, s)
	return resizeTo(im, rh, rw)
}

// resizeTo resamples im to rh x rw with ResizeShorter's filter (im
// unchanged when it has that size).
func resizeTo(im Image, rh, rw int) Image {
	if rh == im.H && rw == im.W {
		return im
	}
	return resizeRegion(im, rh, rw, 0, 0, rh, rw)
}

// resizeRegion returns rows y0 .. y0+oh-1 and columns x0 .. x0+ow-1 of im
// resampled to rh x rw (resizeTo's filter), computing only those: the
// weights of the kept outputs, and the horizontal pass over the kept
// columns of only the input rows the kept rows tap. Every kept pixel is
// the same float32 sum in the same order as in the full resize, so the
// result is bit-identical to cropping resizeTo's; it allocates
// C*oh*ow bytes, at most H*ow floats and the taps, never rh*rw.
func resizeRegion(im Image, rh, rw, y0, x0, oh, ow int) Image {
	xs := resampleWeights(im.W, rw, x0, ow)
	ys := resampleWeights(im.H, rh, y0, oh)
	// The input rows the kept output rows tap: r0 .. r1-1.
	r0, r1 := im.H, 0
	for k := range ys.w {
		r0 = min(r0, ys.first[k])
		r1 = max(r1, ys.first[k]+len(ys.w[k]))
	}
	r1 = max(r1, r0)
	tmp := make([]float32, (r1-r0)*ow)
	out := Image{C: im.C, H: oh, W: ow, Pix: make([]uint8, im.C*oh*ow)}
	for c := 0; c < im.C; c++ {
		plane := im.Pix[c*im.H*im.W : (c+1)*im.H*im.W]
		for y := r0; y < r1; y++ {
			row := plane[y*im.W : (y+1)*im.W]
			for x := 0; x < ow; x++ {
				var v float32
				for k, wt := range xs.w[x] {
					v += wt * float32(row[xs.first[x]+k])
				}
				tmp[(y-r0)*ow+x] = v
			}
		}
		dst := out.Pix[c*oh*ow : (c+1)*oh*ow]
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				var v float32
				for k, wt := range ys.w[y] {
					v += wt * tmp[(ys.first[y]-r0+k)*ow+x]
				}
				dst[y*ow+x] = uint8(math.Round(float64(min(max(v, 0), 255))))
			}
		}
	}
	return out
}

// weights are the taps of a 1-D resampling: output k is the sum over j of
// w[k][j] * input[first[k]+j].
type weights struct {
	first []int
	w     [][]float32
}

// resampleWeights computes Pillow's bilinear resampling coefficients from in
// to out pixels (Imaging precompute_coeffs) for the n outputs k0 .. k0+n-1
// (entry i is output k0+i): output k is centred at (k + 0.5) * in/out; the
// triangle filter is stretched by the reduction factor when shrinking; taps
// outside the image are dropped and the rest renormalised. Each output's
// taps depend only on in, out and k, so a part of the outputs gets the
// same taps as in the whole.
func resampleWeights(in, out, k0, n int) weights {
	scale := float64(in) / float64(out)
	fs := max(scale, 1) // the bilinear filter's support (1), stretched
	taps := 2*int(math.Ceil(fs)) + 1
	r := weights{first: make([]int, n), w: make([][]float32, n)}
	flat := make([]float32, n*taps)
	for i := 0; i < n; i++ {
		centre := (float64(k0+i) + 0.5) * scale
		lo := max(int(centre-fs+0.5), 0)
		hi := min(int(centre+fs+0.5), in, lo+taps)
		w := flat[i*taps : i*taps+max(hi-lo, 0)]
		var sum float32
		for j := range w {
			if d := math.Abs((float64(j+lo) - centre + 0.5) / fs); d < 1 {
				w[j] = float32(1 - d)
				sum += w[j]
			}
		}
		for j := range w {
			if sum != 0 {
				w[j] /= sum
			}
		}
		r.first[i], r.w[i] = lo, w
	}
	return r
}

// CentreCrop returns the centred s x s part of im (torchvision CenterCrop:
// the top-left corner at round((H - s) / 2), round((W - s) / 2), halves
// rounded to even as Python's round). im must be at least s x s.
func CentreCrop(im Image, s int) Image {
	if im.H == s && im.W == s {
		return im
	}
	top := int(math.RoundToEven(float64(im.H-s) / 2))
	left := int(math.RoundToEven(float64(im.W-s) / 2))
	out := Image{C: im.C, H: s, W: s, Pix: make([]uint8, im.C*s*s)}
	for c := 0; c < im.C; c++ {
		for y := 0; y < s; y++ {
			src := ((c*im.H+top+y)*im.W + left)
			copy(out.Pix[(c*s+y)*s:(c*s+y+1)*s], im.Pix[src:src+s])
		}
	}
	return out
}

// EvalTransform is the reference's evaluation transform of im to s x s:
// torchvision Resize(s) then CenterCrop(s), the pixels of
// CentreCrop(ResizeShorter(im, s), s). Only the kept s x s part of the
// resize is computed (resizeRegion): the work and memory do not grow with
// the resized longer side, which for a 1 x 89M-pixel image would be about
// 2e10 columns at s = 224.
func EvalTransform(im Image, s int) Image {
	rh, rw := ResizedSize(im.H, im.W, s)
	if rh == im.H && rw == im.W {
		return CentreCrop(im, s)
	}
	top := int(math.RoundToEven(float64(rh-s) / 2))
	left := int(math.RoundToEven(float64(rw-s) / 2))
	return resizeRegion(im, rh, rw, top, left, s, s)
}
