package cpu

import "simclr-vk/engine"

// Per-channel bias over (n, c, hw) tensors.

// BiasForward adds bias[c] to every y[i,c,j], in place.
func BiasForward(y /* (n, c, hw) */, bias /* (c) */ []float32, n, c, hw int) {
	biasForwardPlanes(y, bias, c, hw, 0, n*c)
}

// biasForwardPlanes does BiasForward for the (image, channel) planes
// [lo, hi) of y.
func biasForwardPlanes(y, bias []float32, c, hw, lo, hi int) {
	for pl := lo; pl < hi; pl++ {
		v := bias[pl%c]
		row := y[pl*hw : (pl+1)*hw]
		for j := range row {
			row[j] += v
		}
	}
}

// BiasBackward sets db[c] = sum_{i,j} dy[i,c,j] (float64, i then j order).
func BiasBackward(db /* (c) */, dy /* (n, c, hw) */ []float32, n, c, hw int) {
	biasBackwardRange(db, dy, n, c, hw, 0, c)
}

func biasBackwardRange(db, dy []float32, n, c, hw, lo, hi int) {
	for ch := lo; ch < hi; ch++ {
		s := 0.0
		for i := 0; i < n; i++ {
			for _, v := range dy[(i*c+ch)*hw : (i*c+ch+1)*hw] {
				s += float64(v)
			}
		}
		db[ch] = float32(s)
	}
}

// BiasForward: y float32 or float16 (rounded once after the add); bias
// float32. BiasBackward: dy float32 or float16, db float32.
func (be *Backend) BiasForward(y, bias *engine.Tensor, n, c, hw int) {
	engine.CheckSizes("BiasForward", "n c hw", n, c, hw)
	engine.CheckBackend("BiasForward", be, y, bias)
	engine.CheckNumelOf("BiasForward", "y", y, n*c*hw, f32or16...)
	engine.CheckNumel("BiasForward", "bias", bias, c)
	yd, bd := data(y), data(bias)
	be.parallelIf(n*c*hw, n*c, func(lo, hi int) { biasForwardPlanes(yd, bd, c, hw, lo, hi) })
	be.roundOut16(y)
}

func (be *Backend) BiasBackward(db, dy *engine.Tensor, n, c, hw int) {
	engine.CheckSizes("BiasBackward", "n c hw", n, c, hw)
	engine.CheckBackend("BiasBackward", be, db, dy)
	engine.CheckNumel("BiasBackward", "db", db, c)
	engine.CheckNumelOf("BiasBackward", "dy", dy, n*c*hw, f32or16...)
	dbd, dyd := data(db), data(dy)
	be.parallelIf(n*c*hw, c, func(lo, hi int) { biasBackwardRange(dbd, dyd, n, c, hw, lo, hi) })
}
