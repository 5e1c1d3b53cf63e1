package augment

import "math"

// Luma weights (ITU-R 601, as torchvision rgb_to_grayscale).
const (
	lumaR = 0.299
	lumaG = 0.587
	lumaB = 0.114
)

func clip01(v float32) float32 { return min(max(v, 0), 1) }

// Brightness multiplies every value by f and clips to [0, 1].
// x: (C, H*W) in [0, 1].
func Brightness(x []float32, f float64) {
	ff := float32(f)
	for i, v := range x {
		x[i] = clip01(v * ff)
	}
}

// Contrast blends x with the mean of its grayscale image:
// f*x + (1-f)*mean, clipped. x: (c, plane) with c = 1 or 3.
func Contrast(x []float32, c, plane int, f float64) {
	var sum float64
	if c == 1 {
		for _, v := range x {
			sum += float64(v)
		}
	} else {
		for i := 0; i < plane; i++ {
			sum += lumaR*float64(x[i]) + lumaG*float64(x[plane+i]) + lumaB*float64(x[2*plane+i])
		}
	}
	m := float32((1 - f) * sum / float64(plane))
	ff := float32(f)
	for i, v := range x {
		x[i] = clip01(ff*v + m)
	}
}

// Saturation blends each pixel with its luma: f*x + (1-f)*gray, clipped.
// x: (3, plane). 1-channel images are left alone.
func Saturation(x []float32, c, plane int, f float64) {
	if c != 3 {
		return
	}
	ff, g := float32(f), float32(1-f)
	for i := 0; i < plane; i++ {
		r, gr, b := x[i], x[plane+i], x[2*plane+i]
		l := g * (lumaR*r + lumaG*gr + lumaB*b)
		x[i], x[plane+i], x[2*plane+i] = clip01(ff*r+l), clip01(ff*gr+l), clip01(ff*b+l)
	}
}

// Hue rotates each pixel's hue by shift (a fraction of the colour circle)
// through HSV. x: (3, plane) in [0, 1]. 1-channel images are left alone.
func Hue(x []float32, c, plane int, shift float64) {
	if c != 3 || shift == 0 {
		return
	}
	// Reduce the shift to [0, 1) once, so one wrap per pixel suffices.
	sh := float32(shift - math.Floor(shift))
	rs, gs, bs := x[:plane], x[plane:2*plane], x[2*plane:3*plane]
	for i := range rs {
		h, s, v := rgbToHSV(rs[i], gs[i], bs[i])
		h += sh
		// h >= 1: h - 1; h < 0: h + 1; else h.
		wrap := [3]float32{h, h - 1, h + 1}
		h = wrap[b2i(h >= 1)|2*b2i(h < 0)]
		r, g, b := hsvToRGB(h, s, v)
		rs[i], gs[i], bs[i] = clip01(r), clip01(g), clip01(b)
	}
}

// rgbToHSV returns hue in [0, 1), saturation and value (torchvision _rgb2hsv).
func rgbToHSV(r, g, b float32) (h, s, v float32) {
	maxc, minc := max(r, g, b), min(r, g, b)
	cr := maxc - minc
	if cr == 0 {
		return 0, 0, maxc
	}
	// rc, gc, bc = (maxc-r)/cr, (maxc-g)/cr, (maxc-b)/cr: exactly 0 for
	// the largest channel and exactly 1 (cr/cr) for the smallest, so only
	// the middle channel needs a division.
	mid := max(min(r, g), min(max(r, g), b))
	d := [3]float32{(maxc - mid) / cr, 1, 0}
	rc := d[b2i(r == minc)|2*b2i(r == maxc)]
	gc := d[b2i(g == minc)|2*b2i(g == maxc)]
	bc := d[b2i(b == minc)|2*b2i(b == maxc)]
	// The hue of each possible maximum, chosen without a branch: r when
	// maxc == r, else g when maxc == g, else b.
	hs := [3]float32{bc - gc, 2 + rc - bc, 4 + gc - rc}
	sel := 2 - b2i(maxc == g)
	sel *= 1 - b2i(maxc == r)
	h = hs[sel] / 6
	neg := [2]float32{h, h + 1}
	return neg[b2i(h < 0)], cr / maxc, maxc
}

// hsvToRGB is the inverse of rgbToHSV (torchvision _hsv2rgb).
func hsvToRGB(h, s, v float32) (r, g, b float32) {
	h6 := h * 6
	i := int(h6)
	f := h6 - float32(i)
	// v, p, q, t of torchvision's _hsv2rgb; sector i%6 picks three.
	vals := [4]float32{v, v * (1 - s), v * (1 - s*f), v * (1 - s*(1-f))}
	if i %= 6; uint(i) >= 6 {
		i = 5 // negative h: the last sector, as before
	}
	sec := &hsvSector[i]
	return vals[sec[0]], vals[sec[1]], vals[sec[2]]
}

// Grayscale replaces each pixel by its luma in all 3 channels.
// x: (3, plane). 1-channel images are left alone.
func Grayscale(x []float32, c, plane int) {
	if c != 3 {
		return
	}
	for i := 0; i < plane; i++ {
		l := clip01(lumaR*x[i] + lumaG*x[plane+i] + lumaB*x[2*plane+i])
		x[i], x[plane+i], x[2*plane+i] = l, l, l
	}
}
