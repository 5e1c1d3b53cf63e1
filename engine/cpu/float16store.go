package cpu

import "simclr-vk/engine"

// Float16 storage (engine.Float16Storer) as the emulation of the device
// kernels: a Float16 tensor is a []float32 whose values are always
// binary16 values (engine.Float16Round), so every op that writes one
// rounds its float32 result once, and reads are exact. It takes the
// memory of float32 (MemStats counts the 4 bytes an element really
// holds); its purpose is the reference, not the saving.

// Float16Storage is nil: the CPU backend stores float16 tensors.
func (b *Backend) Float16Storage() error { return nil }

// Float16Emulated is true: a Float16 tensor here is a []float32 of float16
// values (engine.Float16Emulator), the reference's memory, not half of it.
func (b *Backend) Float16Emulated() bool { return true }

// NewFloat16 allocates a zero-filled Float16 tensor.
func (b *Backend) NewFloat16(shape ...int) *engine.Tensor {
	n := engine.CheckShape("NewFloat16", shape)
	t := engine.NewTensorOf(b, engine.Float16, newBuf(n), shape...)
	b.count(4 * int64(n))
	return t
}

// rounder is RoundFloat16 (what a Float16 tensor holds, in place) when t
// is stored as float16, else nil.
func rounder(t *engine.Tensor) func([]float32) {
	if t.DType() == engine.Float16 {
		return RoundFloat16
	}
	return nil
}

// f32or16 are the dtypes of the operands that Float16Operands lists.
var f32or16 = []engine.DType{engine.Float32, engine.Float16}

// Fill: a float16 dst gets v rounded.
func (be *Backend) Fill(dst *engine.Tensor, v float32) {
	engine.CheckBackend("Fill", be, dst)
	n := engine.NumelOf("Fill", "dst", dst)
	engine.CheckNumelOf("Fill", "dst", dst, n, f32or16...)
	if dst.DType() == engine.Float16 {
		v = engine.Float16Round(v)
	}
	d := overwrite(dst)
	be.chunks(n, func(lo, hi int) { Fill(d[lo:hi], v) })
}

func (be *Backend) Copy(dst, src *engine.Tensor) {
	engine.CheckBackend("Copy", be, dst, src)
	n := engine.NumelOf("Copy", "src", src)
	engine.CheckNumelOf("Copy", "dst", dst, n, f32or16...)
	engine.CheckNumelOf("Copy", "src", src, n, f32or16...)
	if be.blockedUnary(n, dst, src, Copy) { // the raw values, layout kept
		return
	}
	s := data(src)
	d, r := overwrite(dst), rounder(dst) // after src: dst may be src
	if src.DType() == engine.Float16 {
		r = nil // float16 values are float32 values: nothing to round
	}
	be.chunks(len(d), func(lo, hi int) {
		Copy(d[lo:hi], s[lo:hi])
		if r != nil {
			r(d[lo:hi])
		}
	})
}

// binary16 is binary for the ops that take float16 storage: every operand
// float32, or every one float16 (the result rounded).
func (be *Backend) binary16(op string, names []string, dst, a, b *engine.Tensor, fn func(d, a, b []float32)) {
	engine.CheckBackend(op, be, dst, a, b)
	n, _ := engine.CheckSameOf(op, names, f32or16, dst, a, b)
	if bd, ok := commonBlocked(dst, a, b); ok { // elementwise: any layout will do
		x, y := bufOf(a).s, bufOf(b).s
		d := overwrite(dst)
		be.chunks(n, func(lo, hi int) { fn(d[lo:hi], x[lo:hi], y[lo:hi]) })
		setBlocked(dst, bd)
		return
	}
	x, y := data(a), data(b)
	d, r := overwrite(dst), rounder(dst) // after a and b: dst may be either
	be.chunks(n, func(lo, hi int) {
		fn(d[lo:hi], x[lo:hi], y[lo:hi])
		if r != nil {
			r(d[lo:hi])
		}
	})
}

func (be *Backend) Add(dst, a, b *engine.Tensor) { be.binary16("Add", dstAB, dst, a, b, addFast) }

// AddReLU: a float16 y is max(a + b, 0) rounded once, which is
// max(round(a + b), 0) (rounding is monotone and keeps 0), as the device's
// add_relu_f16; a blocked residual stays blocked.
func (be *Backend) AddReLU(y, a, b *engine.Tensor) {
	engine.CheckBackend("AddReLU", be, y, a, b)
	engine.CheckAddReLU(y, a, b, f32or16...)
	be.binary16("AddReLU", []string{"y", "a", "b"}, y, a, b, addReLUFast)
}

// ReLUForward: a float16 y is exact (x's values or 0).
func (be *Backend) ReLUForward(y, x *engine.Tensor) {
	engine.CheckBackend("ReLUForward", be, y, x)
	n, _ := engine.CheckSameOf("ReLUForward", []string{"y", "x"}, f32or16, y, x)
	if be.blockedUnary(n, y, x, reluForwardFast) {
		return
	}
	xd := data(x)
	yd := overwrite(y) // after x: y may be x
	be.chunks(n, func(lo, hi int) { reluForwardFast(yd[lo:hi], xd[lo:hi]) })
}

// ReLUBackward: a float16 dx is exact (dy's values or 0).
func (be *Backend) ReLUBackward(dx, dy, y *engine.Tensor) {
	be.binary16("ReLUBackward", []string{"dx", "dy", "y"}, dx, dy, y, reluBackwardFast)
}

// BatchNormApply implements engine.Backend: x and y float32, or both
// float16 (y rounded once from the float32 result).
func (be *Backend) BatchNormApply(y, x, gamma, beta, mean, invStd *engine.Tensor, groups int, p engine.BatchNormParams) {
	const op = "BatchNormApply"
	engine.CheckBackend(op, be, y, x, gamma, beta, mean, invStd)
	engine.CheckBatchNormGroupsOf(op, p, groups, x, gamma, beta, f32or16...)
	engine.CheckNumelOf(op, "y", y, x.Numel(), x.DType())
	engine.CheckNumel(op, "mean", mean, groups*p.C)
	engine.CheckNumel(op, "invStd", invStd, groups*p.C)
	yd, xd, gd, bd, md, id := data(y), data(x), data(gamma), data(beta), data(mean), data(invStd)
	parallelGrain(be.threads, groups*p.C, bnSplitGrain(p, groups, be.threads), func(lo, hi int) {
		bnApplyFast(lo, hi, yd, xd, gd, bd, md, id, groups, p.N, p.C, p.HW, p.ReLU)
	})
	be.roundOut16(y)
}

// upload16 is Upload into a Float16 tensor: the values rounded.
func upload16(t *engine.Tensor, src []float32) {
	d := overwrite(t)
	copy(d, src)
	RoundFloat16(d)
}
