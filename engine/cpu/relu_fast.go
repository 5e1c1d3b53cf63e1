package cpu

import "math"

// Branch-free ReLU kernels behind the Backend methods: with activations
// about half negative, the reference's x > 0 branch mispredicts often. The
// mask keeps exactly the values the reference keeps (x > 0: positive
// finite or +Inf; NaN and zeros give 0), so the results are bit-identical.

// positiveMask returns all ones when v > 0, else 0.
func positiveMask(v float32) uint32 {
	b := math.Float32bits(v)
	m := uint32(0)
	if b-1 < 0x7f800000 { // 0 < b <= +Inf's bits
		m = 0xffffffff
	}
	return m
}

// simdMinLen is the shortest slice handed to a C kernel (simd_cgo.go):
// below it the cost of the cgo call outweighs the vector loop's gain
// (docs/performance.md has the measurement).
const simdMinLen = 64

// reluGrad returns g where y > 0, else 0, without a branch.
func reluGrad(g, y float32) float32 {
	return math.Float32frombits(math.Float32bits(g) & positiveMask(y))
}

// reluForwardFast is ReLUForward without branches.
func reluForwardFast(y /* (n) */, x /* (n) */ []float32) {
	if simdOK && len(y) >= simdMinLen {
		simdReLU(y, x)
		return
	}
	reluForwardGo(y, x)
}

// reluForwardGo is reluForwardFast in Go.
func reluForwardGo(y /* (n) */, x /* (n) */ []float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = math.Float32frombits(math.Float32bits(v) & positiveMask(v))
	}
}

// reluBackwardFast is ReLUBackward without branches.
func reluBackwardFast(dx /* (n) */, dy /* (n) */, y /* (n) */ []float32) {
	simdOrGo(simdReLUBack, reluBackwardGo, dx, dy, y)
}

// simdOrGo runs the AVX2 kernel simd on slices of at least simdMinLen
// where it is available, else the Go loop.
func simdOrGo(simd, loop func(d, a, b []float32), d /* (n) */, a /* (n) */, b /* (n) */ []float32) {
	if simdOK && len(d) >= simdMinLen {
		simd(d, a, b)
		return
	}
	loop(d, a, b)
}

// reluBackwardGo is reluBackwardFast in Go.
func reluBackwardGo(dx /* (n) */, dy /* (n) */, y /* (n) */ []float32) {
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i, v := range y {
		dx[i] = reluGrad(dy[i], v)
	}
}

// addReLUFast is AddReLU with the AVX2 kernel on long slices
// (bit-identical: the sum is rounded once, then masked).
func addReLUFast(y /* (n) */, a /* (n) */, b /* (n) */ []float32) {
	simdOrGo(simdAddReLU, AddReLU, y, a, b)
}
