package data

// ResizeCentreCrop returns im resized so that its shorter side is s and
// centre-cropped to s x s (torchvision Resize(s) + CenterCrop(s)): the
// centred square of side min(H, W) is box-filtered by the largest integer
// factor that keeps it at least s wide (anti-aliasing), then resampled
// bilinearly (half-pixel centres) to s x s. An s x s image is returned
// unchanged.
func ResizeCentreCrop(im Image, s int) Image {
	if im.H == s && im.W == s {
		return im
	}
	side := min(im.H, im.W)
	k := max(1, side/s)
	side = side / k * k
	y0, x0 := (im.H-side)/2, (im.W-side)/2
	// Box filter the square by k.
	m := side / k
	box := make([]float32, im.C*m*m)
	inv := 1 / float32(k*k)
	for c := 0; c < im.C; c++ {
		for y := 0; y < m; y++ {
			dst := box[(c*m+y)*m : (c*m+y+1)*m]
			if k == 1 {
				row := im.Pix[(c*im.H+y0+y)*im.W+x0:]
				for x := range dst {
					dst[x] = float32(row[x]) * inv
				}
				continue
			}
			for x := range dst {
				var sum int
				for dy := 0; dy < k; dy++ {
					row := (c*im.H+y0+y*k+dy)*im.W + x0 + x*k
					for dx := 0; dx < k; dx++ {
						sum += int(im.Pix[row+dx])
					}
				}
				dst[x] = float32(sum) * inv
			}
		}
	}
	// The square's rows and columns share their taps, computed once.
	out := Image{C: im.C, H: s, W: s, Pix: make([]uint8, im.C*s*s)}
	scale := float64(m) / float64(s)
	taps := make([]tap, s)
	for i := range taps {
		taps[i].i0, taps[i].i1, taps[i].f = bilinearTap((float64(i)+0.5)*scale-0.5, m)
	}
	for c := 0; c < im.C; c++ {
		src := box[c*m*m : (c+1)*m*m]
		for y, ty := range taps {
			r0, r1, fy := src[ty.i0*m:(ty.i0+1)*m], src[ty.i1*m:(ty.i1+1)*m], ty.f
			dst := out.Pix[(c*s+y)*s : (c*s+y+1)*s]
			for x, tx := range taps {
				top := r0[tx.i0]*(1-tx.f) + r0[tx.i1]*tx.f
				bot := r1[tx.i0]*(1-tx.f) + r1[tx.i1]*tx.f
				v := top*(1-fy) + bot*fy
				// v + 0.5 is exact in float64 (v is a float32 in
				// [0, 255]), so truncating it rounds half up as
				// math.Round does for non-negative values.
				dst[x] = uint8(float64(min(max(v, 0), 255)) + 0.5)
			}
		}
	}
	return out
}

// tap is one output coordinate's two source indices and the second's
// weight.
type tap struct {
	i0, i1 int
	f      float32
}

// bilinearTap returns the two neighbouring indices of coordinate u in
// [0, n) (clamped at the edges) and the weight of the second.
func bilinearTap(u float64, n int) (i0, i1 int, f float32) {
	if u <= 0 {
		return 0, 0, 0
	}
	if u >= float64(n-1) {
		return n - 1, n - 1, 0
	}
	i0 = int(u)
	return i0, i0 + 1, float32(u - float64(i0))
}
