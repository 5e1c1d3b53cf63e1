//go:build !cgo || !amd64

package cpu

// Without cgo on amd64 there are no AVX2 kernels (simd_cgo.go): simdOK is
// false and the dispatchers run the Go loops; the functions below are
// those loops, so that the dispatchers compile.

const simdOK = false

const simdMinLen = 64

func simdAdd(d, a, b []float32)        { Add(d, a, b) }
func simdReLU(y, x []float32)          { reluForwardGo(y, x) }
func simdReLUBack(dx, dy, y []float32) { reluBackwardGo(dx, dy, y) }
func simdBNApply(y, x []float32, scale, shift float32, relu bool) {
	bnApplyPlaneGo(y, x, scale, shift, relu)
}
func simdBNDx(d, g, x, y []float32, a, b, cc, mean float32) { bnDxPlaneGo(d, g, x, y, a, b, cc, mean) }
func simdBNStats(x []float32, shift float64) (s, q float64) { return bnPlaneStatsGo(x, shift) }
func simdBNBackSums(dy, x, y []float32, mean float64) (sg, sgd float64) {
	return bnBackPlaneSumsGo(dy, x, y, mean)
}
