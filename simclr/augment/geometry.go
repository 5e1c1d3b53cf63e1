package augment

import (
	"github.com/go-gl/mathgl/mgl64"

	"simclr-vk/simclr/data"
)

// Transform is the affine map from output pixel coordinates (continuous,
// pixel centres at +0.5) of a size x size view to source image coordinates:
// scale the view onto the crop rectangle, after mirroring it when flipping.
func Transform(c Crop, size int, flip bool) mgl64.Mat3 {
	s := float64(size)
	m := mgl64.Translate2D(float64(c.X), float64(c.Y)).Mul3(mgl64.Scale2D(float64(c.W)/s, float64(c.H)/s))
	if flip {
		m = m.Mul3(mgl64.Translate2D(s, 0)).Mul3(mgl64.Scale2D(-1, 1))
	}
	return m
}

// SourceCoord returns the source position (in pixel-index units: pixel k
// spans [k-0.5, k+0.5]) sampled by output pixel (ox, oy) of a view.
func SourceCoord(p Params, size, ox, oy int) (sx, sy float64) {
	v := Transform(p.Crop, size, p.Flip).Mul3x1(mgl64.Vec3{float64(ox) + 0.5, float64(oy) + 0.5, 1})
	return v.X() - 0.5, v.Y() - 0.5
}

// tap is one bilinear interpolation step along an axis.
type tap struct {
	i0, i1 int
	f      float32 // weight of i1
}

// taps computes into t the bilinear taps of len(t) output positions whose
// source coordinates are a*k + b (k = 0..len(t)-1), clamped to [lo, hi].
func taps(t []tap, a, b float64, lo, hi int) []tap {
	for k := range t {
		u := a*float64(k) + b
		switch {
		case u <= float64(lo):
			t[k] = tap{lo, lo, 0}
		case u >= float64(hi):
			t[k] = tap{hi, hi, 0}
		default:
			i := int(u)
			t[k] = tap{i, i + 1, float32(u - float64(i))}
		}
	}
	return t
}

// resample renders the crop (and flip) of src into dst (C x size x size,
// values in [0, 1]) with bilinear interpolation, clamping to the crop
// rectangle as a crop-then-resize does, using sc's buffers.
func (sc *scratch) resample(dst []float32, src data.Image, p Params, size int) {
	m := Transform(p.Crop, size, p.Flip)
	// The map is axis-aligned: x' = m[0]*x + m[6], y' = m[4]*y + m[7]
	// (column-major Mat3); +0.5 for the pixel centre, -0.5 back to indices.
	sc.xs, sc.ys = grow(sc.xs, size), grow(sc.ys, size)
	xs := taps(sc.xs, m[0], m[0]*0.5+m[6]-0.5, p.Crop.X, p.Crop.X+p.Crop.W-1)
	ys := taps(sc.ys, m[4], m[4]*0.5+m[7]-0.5, p.Crop.Y, p.Crop.Y+p.Crop.H-1)
	// Output rows share source rows (two per output row, fewer distinct
	// ones): each source row is interpolated horizontally once into one of
	// two row slots, then pairs of slots are blended vertically.
	sc.slots = grow(sc.slots, 2*size)
	buf := sc.slots
	for c := 0; c < src.C; c++ {
		plane := src.Pix[c*src.H*src.W : (c+1)*src.H*src.W]
		out := dst[c*size*size : (c+1)*size*size]
		cached := [2]int{-1, -1}
		// row returns source row i interpolated, keeping row keep cached.
		row := func(i, keep int) []float32 {
			for s := range cached {
				if cached[s] == i {
					return buf[s*size : (s+1)*size]
				}
			}
			s := 0
			if cached[0] == keep || (cached[1] != keep && cached[1] < cached[0]) {
				s = 1
			}
			cached[s] = i
			r := buf[s*size : (s+1)*size]
			lerpRow(r, plane[i*src.W:(i+1)*src.W], xs)
			return r
		}
		for oy, ty := range ys {
			top := row(ty.i0, ty.i1)
			bot := row(ty.i1, ty.i0)
			blendRows(out[oy*size:(oy+1)*size], top, bot, ty.f)
		}
	}
}
