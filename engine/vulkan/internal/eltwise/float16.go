package eltwise

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// The elementwise ops that take engine.Float16 tensors
// (engine.Float16Operands): their shaders' variants (copy, add, axpy,
// relu_forward, relu_backward: _f32, _f16; copy also _to_f16 and
// _from_f16, axpy _y16 and _x16) load float16 operands exactly, compute
// in float32 and round a float16 output to nearest even (eltwise.glsl,
// half.glsl), as the CPU emulation does (engine/cpu/float16store.go). The
// bias and pool kernels' _f16 variants do the same through half_bind.glsl
// (bias.go, pool.go).

var f32or16 = []engine.DType{engine.Float32, engine.Float16}

// suffix is the variant of a kernel whose operands are all stored as dt.
func suffix(dt engine.DType) string {
	if dt == engine.Float16 {
		return "_f16"
	}
	return "_f32"
}

// Copy sets dst[i] = src[i], converting between float32 and float16.
func (d *Ops) Copy(dst, src *engine.Tensor) {
	engine.CheckBackend("Copy", d.Owner, dst, src)
	n := engine.NumelOf("Copy", "src", src)
	engine.CheckNumelOf("Copy", "dst", dst, n, f32or16...)
	engine.CheckNumelOf("Copy", "src", src, n, f32or16...)
	v := suffix(dst.DType())
	switch {
	case dst.DType() == engine.Float16 && src.DType() == engine.Float32:
		v = "_to_f16"
	case dst.DType() == engine.Float32 && src.DType() == engine.Float16:
		v = "_from_f16"
	}
	d.elementwise("copy"+v, n, &pushN{uint32(n)}, vkrt.Out(dst), vkrt.In(src))
}

// Add sets dst[i] = a[i] + b[i] (dst may alias a or b): every operand
// float32 or every one float16.
func (d *Ops) Add(dst, a, b *engine.Tensor) {
	engine.CheckBackend("Add", d.Owner, dst, a, b)
	n, dt := engine.CheckSameOf("Add", dstAB, f32or16, dst, a, b)
	d.elementwise("add"+suffix(dt), n, &pushN{uint32(n)}, vkrt.Out(dst), vkrt.In(a), vkrt.In(b))
}

// ReLUForward sets y = max(x, 0): both float32 or both float16.
func (d *Ops) ReLUForward(y, x *engine.Tensor) {
	engine.CheckBackend("ReLUForward", d.Owner, y, x)
	n, dt := engine.CheckSameOf("ReLUForward", []string{"y", "x"}, f32or16, y, x)
	d.elementwise("relu_forward"+suffix(dt), n, &pushN{uint32(n)}, vkrt.Out(y), vkrt.In(x))
}

// ReLUBackward sets dx = dy where y > 0, else 0: every operand float32 or
// every one float16.
func (d *Ops) ReLUBackward(dx, dy, y *engine.Tensor) {
	engine.CheckBackend("ReLUBackward", d.Owner, dx, dy, y)
	n, dt := engine.CheckSameOf("ReLUBackward", []string{"dx", "dy", "y"}, f32or16, dx, dy, y)
	d.elementwise("relu_backward"+suffix(dt), n, &pushN{uint32(n)}, vkrt.Out(dx), vkrt.In(dy), vkrt.In(y))
}

// Axpy sets y[i] += alpha * x[i]: y and x each float32 or float16
// (axpy_f32, _f16 both, _y16 y only, _x16 x only), a float16 y rounded
// once from the float32 y + alpha*x.
func (d *Ops) Axpy(y *engine.Tensor, alpha float32, x *engine.Tensor) {
	engine.CheckBackend("Axpy", d.Owner, y, x)
	n := engine.NumelOf("Axpy", "y", y)
	engine.CheckNumelOf("Axpy", "y", y, n, f32or16...)
	engine.CheckNumelOf("Axpy", "x", x, n, f32or16...)
	v := suffix(y.DType())
	switch {
	case y.DType() == engine.Float16 && x.DType() == engine.Float32:
		v = "_y16"
	case y.DType() == engine.Float32 && x.DType() == engine.Float16:
		v = "_x16"
	}
	d.elementwise("axpy"+v, n, &pushNScalar{uint32(n), alpha}, vkrt.InOut(y), vkrt.In(x))
}
