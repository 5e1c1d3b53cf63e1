//go:build !cgo || !amd64

package cpu

// Without cgo on amd64 there are no AVX2 kernels (simd_cgo.go): simdOK is
// false and the dispatchers run the Go loops; the functions below are
// those loops, so that the dispatchers compile.

const simdOK = false

func simdAdd(d, a, b []float32)        { Add(d, a, b) }
func simdReLU(y, x []float32)          { reluForwardGo(y, x) }
func simdAddReLU(y, a, b []float32)    { AddReLU(y, a, b) }
func simdReLUBack(dx, dy, y []float32) { reluBackwardGo(dx, dy, y) }
func simdBNApply(y, x []float32, scale, shift float32, relu bool) {
	bnApplyPlaneGo(y, x, scale, shift, relu)
}
func simdBNDx(d, g, x, y []float32, a, b, cc, mean float32) { bnDxPlaneGo(d, g, x, y, a, b, cc, mean) }
func simdRoundFloat16(x []float32)                          { roundFloat16Go(x) }
func simdBNStats(x []float32, shift float64) (s, q float64) { return bnPlaneStatsGo(x, shift) }
func simdBNBackSums(dy, x, y []float32, mean float64) (sg, sgd float64) {
	return bnBackPlaneSumsGo(dy, x, y, mean)
}

func simdBNStatsPlanes(x []float32, hw int, shift, sum, sq []float64) {
	for i := range shift {
		s, q := bnPlaneStatsGo(x[i*hw:(i+1)*hw], shift[i])
		sum[i] += s
		sq[i] += q
	}
}

func simdBNApplyPlanes(y, x []float32, hw int, scale, shift []float32, relu bool) {
	for i := range scale {
		bnApplyPlaneGo(y[i*hw:(i+1)*hw], x[i*hw:(i+1)*hw], scale[i], shift[i], relu)
	}
}

func simdBNBackSumsPlanes(dy, x, y []float32, hw int, mean []float32, sg, sgd []float64) {
	for i := range mean {
		a, b := bnBackPlaneSumsGo(dy[i*hw:(i+1)*hw], x[i*hw:(i+1)*hw], plane(y, i*hw, hw), float64(mean[i]))
		sg[i] += a
		sgd[i] += b
	}
}

func simdBNDxPlanes(d, g, x, y []float32, hw int, a, b, cc, mean []float32) {
	for i := range a {
		bnDxPlaneGo(d[i*hw:(i+1)*hw], g[i*hw:(i+1)*hw], x[i*hw:(i+1)*hw], plane(y, i*hw, hw), a[i], b[i], cc[i], mean[i])
	}
}

func simdBNBStats(x []float32, lo, hi, cb, hw int, shift, part []float64) {
	bnbStatsGo(x, lo, hi, cb, hw, shift, part)
}

func simdBNBApply(y, x []float32, lo, hi, cb, hw int, scale, shift []float32, relu bool) {
	bnbApplyGo(y, x, lo, hi, cb, hw, scale, shift, relu)
}

func simdBNBBackSums(dy, x, y []float32, lo, hi, cb, hw int, mean, part []float64) {
	bnbBackSumsGo(dy, x, y, lo, hi, cb, hw, mean, part)
}

func simdBNBDx(d, g, x, y []float32, lo, hi, cb, hw int, a, b, cc, mean []float32) {
	bnbDxGo(d, g, x, y, lo, hi, cb, hw, a, b, cc, mean)
}
