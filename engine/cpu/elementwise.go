package cpu

import "simclr-vk/engine"

// Elementwise ops: reference functions on slices (the spec) and the Backend
// methods, which split long vectors over goroutines. Every element is
// computed by exactly one goroutine with the same expression as the
// reference (ReLU: an equivalent branch-free one, relu_fast.go), so the fast
// path is bit-identical to it.

// elemGrain is the smallest chunk worth a goroutine for memory-bound loops.
const elemGrain = 1 << 15

// Fill sets dst[i] = v.
func Fill(dst /* (n) */ []float32, v float32) {
	for i := range dst {
		dst[i] = v
	}
}

// Copy sets dst[i] = src[i].
func Copy(dst /* (n) */, src /* (n) */ []float32) {
	for i := range dst {
		dst[i] = src[i]
	}
}

// Add sets dst[i] = a[i] + b[i]; dst may alias a or b.
func Add(dst /* (n) */, a /* (n) */, b /* (n) */ []float32) {
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// AddReLU sets y[i] = a[i] + b[i] where that sum is > 0, else 0 (NaN
// gives 0, as ReLUForward); y may alias a or b.
func AddReLU(y /* (n) */, a /* (n) */, b /* (n) */ []float32) {
	for i := range y {
		s := a[i] + b[i]
		if s > 0 {
			y[i] = s
		} else {
			y[i] = 0
		}
	}
}

// Sub sets dst[i] = a[i] - b[i]; dst may alias a or b.
func Sub(dst /* (n) */, a /* (n) */, b /* (n) */ []float32) {
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

// Mul sets dst[i] = a[i] * b[i]; dst may alias a or b.
func Mul(dst /* (n) */, a /* (n) */, b /* (n) */ []float32) {
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// Scale sets dst[i] = alpha * src[i].
func Scale(dst /* (n) */, src /* (n) */ []float32, alpha float32) {
	for i := range dst {
		dst[i] = alpha * src[i]
	}
}

// Axpy sets y[i] += alpha * x[i].
func Axpy(y /* (n) */ []float32, alpha float32, x /* (n) */ []float32) {
	for i := range y {
		y[i] += alpha * x[i]
	}
}

// ReLUForward sets y[i] = max(x[i], 0).
func ReLUForward(y /* (n) */, x /* (n) */ []float32) {
	for i := range y {
		if x[i] > 0 {
			y[i] = x[i]
		} else {
			y[i] = 0
		}
	}
}

// ReLUBackward sets dx[i] = dy[i] where y[i] > 0, else 0 (y is the forward
// output).
func ReLUBackward(dx /* (n) */, dy /* (n) */, y /* (n) */ []float32) {
	for i := range dx {
		if y[i] > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// chunks runs fn over [0, n) in parallel when n is large enough, in blocks
// of elemGrain taken in turn by the goroutines.
func (be *Backend) chunks(n int, fn func(lo, hi int)) {
	if n < 2*elemGrain || be.threads <= 1 {
		fn(0, n)
		return
	}
	parallelGrain(be.threads, n, elemGrain, fn)
}

func (be *Backend) binary(op string, names []string, dst, a, b *engine.Tensor, fn func(d, a, b []float32)) {
	engine.CheckBackend(op, be, dst, a, b)
	n := engine.CheckSame(op, names, dst, a, b)
	d, x, y := data(dst), data(a), data(b)
	be.chunks(n, func(lo, hi int) { fn(d[lo:hi], x[lo:hi], y[lo:hi]) })
}

var dstAB = []string{"dst", "a", "b"}

// Fill, Copy, Add and the ReLUs, which take float16 storage: float16store.go.

// addFast is Add, with the AVX2 kernel on long slices (bit-identical).
func addFast(d, a, b []float32)                  { simdOrGo(simdAdd, Add, d, a, b) }
func (be *Backend) Sub(dst, a, b *engine.Tensor) { be.binary("Sub", dstAB, dst, a, b, Sub) }
func (be *Backend) Mul(dst, a, b *engine.Tensor) { be.binary("Mul", dstAB, dst, a, b, Mul) }

func (be *Backend) Scale(dst, src *engine.Tensor, alpha float32) {
	engine.CheckBackend("Scale", be, dst, src)
	n := engine.CheckSame("Scale", []string{"dst", "src"}, dst, src)
	d, s := data(dst), data(src)
	be.chunks(n, func(lo, hi int) { Scale(d[lo:hi], s[lo:hi], alpha) })
}

// Axpy: y and x float16 (y rounded once), x float16 into a float32 y, or
// both float32.
func (be *Backend) Axpy(y *engine.Tensor, alpha float32, x *engine.Tensor) {
	engine.CheckBackend("Axpy", be, y, x)
	n := engine.NumelOf("Axpy", "x", x)
	engine.CheckNumelOf("Axpy", "x", x, n, f32or16...)
	engine.CheckNumelOf("Axpy", "y", y, n, engine.Float32, x.DType())
	if d, ok := commonBlocked(y, y, x); ok { // elementwise: any layout will do
		yd, xd := bufOf(y).s, bufOf(x).s
		be.chunks(n, func(lo, hi int) { Axpy(yd[lo:hi], alpha, xd[lo:hi]) })
		setBlocked(y, d)
		return
	}
	xd := data(x)
	yd, r := data(y), rounder(y)
	be.chunks(n, func(lo, hi int) {
		Axpy(yd[lo:hi], alpha, xd[lo:hi])
		if r != nil {
			r(yd[lo:hi])
		}
	})
}
