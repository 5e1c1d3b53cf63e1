package augment

import "simclr-vk/engine"

// GaussianKernel returns the normalised 1-D Gaussian of odd size k and
// standard deviation sigma, centred on index k/2 (engine.AugmentGaussian:
// the device's views use the same taps).
func GaussianKernel(k int, sigma float64) []float32 {
	if k < 1 || k%2 == 0 {
		panic("augment: GaussianKernel: kernel size must be odd and positive")
	}
	return engine.AugmentGaussian(k, sigma)
}

// reflect maps an index outside [0, n) back inside by mirroring without
// repeating the edge pixel (torchvision / numpy "reflect" padding).
func reflect(i, n int) int {
	if n == 1 {
		return 0
	}
	for i < 0 || i >= n {
		if i < 0 {
			i = -i
		}
		if i >= n {
			i = 2*(n-1) - i
		}
	}
	return i
}

// Blur applies the separable Gaussian blur with kernel size k and sigma to
// every channel of x: (c, h, w), with reflect padding. tmp must hold h*w
// values.
func Blur(x, tmp []float32, c, h, w, k int, sigma float64) {
	if k < 1 || k%2 == 0 {
		panic("augment: Blur: kernel size must be odd and positive")
	}
	sc := getScratch()
	defer scratchPool.Put(sc)
	sc.blur(x, tmp, c, h, w, k, sigma)
}

// blur is Blur with sc's buffers.
func (sc *scratch) blur(x, tmp []float32, c, h, w, k int, sigma float64) {
	sc.kern = grow(sc.kern, k)
	kern := sc.kern
	engine.AugmentGaussianTo(kern, sigma) // GaussianKernel's taps
	// Tiny weights are summed in float64 when every value is in [0, 1]
	// (as in Apply); see blurpass.go.
	plan := planBlur(kern, kern[0] < tinyTap && inUnitRange(x[:c*h*w]), sc.head[:0], sc.tail[:0])
	sc.head, sc.tail = plan.head[:0], plan.tail[:0]
	r := k / 2
	sc.pad = grow(sc.pad, w+2*r)
	sc.cols = grow(sc.cols, w+2*r) // reflected column of padded column i
	sc.rows = grow(sc.rows, h+2*r) // reflected row index of padded row y+r
	pad, cols, rows := sc.pad, sc.cols, sc.rows
	for i := range cols {
		cols[i] = reflect(i-r, w)
	}
	for y := range rows {
		rows[y] = reflect(y-r, h)
	}
	sc.hOffs, sc.vOffs = grow(sc.hOffs, k), grow(sc.vOffs, k) // tap offsets, see mac8
	hOffs, vOffs := sc.hOffs, sc.vOffs
	for j := range hOffs {
		hOffs[j] = plan.lo + j
	}
	for ch := 0; ch < c; ch++ {
		p := x[ch*h*w : (ch+1)*h*w]
		// Horizontal pass into tmp through a reflect-padded row.
		for y := 0; y < h; y++ {
			row := p[y*w : (y+1)*w]
			for i, j := range cols {
				pad[i] = row[j]
			}
			blurRow(tmp[y*w:(y+1)*w], pad, &plan, hOffs)
		}
		// Vertical pass back into x, a weighted sum of whole rows.
		for y := 0; y < h; y++ {
			blurColumns(p[y*w:(y+1)*w], tmp, rows[y:y+k], w, &plan, vOffs)
		}
	}
}
