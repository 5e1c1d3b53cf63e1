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
	xs := resampleWeights(im.W, rw)
	ys := resampleWeights(im.H, rh)
	tmp := make([]float32, im.H*rw)
	out := Image{C: im.C, H: rh, W: rw, Pix: make([]uint8, im.C*rh*rw)}
	for c := 0; c < im.C; c++ {
		plane := im.Pix[c*im.H*im.W : (c+1)*im.H*im.W]
		for y := 0; y < im.H; y++ {
			row := plane[y*im.W : (y+1)*im.W]
			for x := 0; x < rw; x++ {
				var v float32
				for k, wt := range xs.w[x] {
					v += wt * float32(row[xs.first[x]+k])
				}
				tmp[y*rw+x] = v
			}
		}
		dst := out.Pix[c*rh*rw : (c+1)*rh*rw]
		for y := 0; y < rh; y++ {
			for x := 0; x < rw; x++ {
				var v float32
				for k, wt := range ys.w[y] {
					v += wt * tmp[(ys.first[y]+k)*rw+x]
				}
				dst[y*rw+x] = uint8(math.Round(float64(min(max(v, 0), 255))))
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
// to out pixels (Imaging precompute_coeffs): output k is centred at
// (k + 0.5) * in/out; the triangle filter is stretched by the reduction
// factor when shrinking; taps outside the image are dropped and the rest
// renormalised.
func resampleWeights(in, out int) weights {
	scale := float64(in) / float64(out)
	fs := max(scale, 1) // the bilinear filter's support (1), stretched
	taps := 2*int(math.Ceil(fs)) + 1
	r := weights{first: make([]int, out), w: make([][]float32, out)}
	flat := make([]float32, out*taps)
	for k := 0; k < out; k++ {
		centre := (float64(k) + 0.5) * scale
		lo := max(int(centre-fs+0.5), 0)
		hi := min(int(centre+fs+0.5), in, lo+taps)
		w := flat[k*taps : k*taps+max(hi-lo, 0)]
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
		r.first[k], r.w[k] = lo, w
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
// torchvision Resize(s) then CenterCrop(s) (ResizeShorter, CentreCrop).
func EvalTransform(im Image, s int) Image {
	return CentreCrop(ResizeShorter(im, s), s)
}
