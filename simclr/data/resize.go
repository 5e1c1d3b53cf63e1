package data

import "math"

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
			for x := 0; x < m; x++ {
				var sum int
				for dy := 0; dy < k; dy++ {
					row := (c*im.H+y0+y*k+dy)*im.W + x0 + x*k
					for dx := 0; dx < k; dx++ {
						sum += int(im.Pix[row+dx])
					}
				}
				box[(c*m+y)*m+x] = float32(sum) * inv
			}
		}
	}
	out := Image{C: im.C, H: s, W: s, Pix: make([]uint8, im.C*s*s)}
	scale := float64(m) / float64(s)
	for c := 0; c < im.C; c++ {
		src := box[c*m*m : (c+1)*m*m]
		for y := 0; y < s; y++ {
			y0, y1, fy := bilinearTap((float64(y)+0.5)*scale-0.5, m)
			for x := 0; x < s; x++ {
				x0, x1, fx := bilinearTap((float64(x)+0.5)*scale-0.5, m)
				top := src[y0*m+x0]*(1-fx) + src[y0*m+x1]*fx
				bot := src[y1*m+x0]*(1-fx) + src[y1*m+x1]*fx
				v := top*(1-fy) + bot*fy
				out.Pix[(c*s+y)*s+x] = uint8(math.Round(float64(min(max(v, 0), 255))))
			}
		}
	}
	return out
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
