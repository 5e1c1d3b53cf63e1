package eltwise

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// The elementwise ops that take engine.Float16 tensors
// (engine.Float16Operands): their shaders' variants (copy, add, axpy,
// relu_forward, relu_backward, add_relu: _f32, _f16; copy also _to_f16 and
// _from_f16, axpy _x16) load float16 operands exactly, compute
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

// pairVariant checks the operands of Copy and Axpy, dst stored as one
// of dstTypes and src as float32 or float16, and returns their numel and
// the kernel variant: _f32 or _f16 where both are stored alike, else
// mixed[0] for a float16 dst, mixed[1] for a float16 src.
func pairVariant(op string, names [2]string, dst, src *engine.Tensor, dstTypes []engine.DType, mixed [2]string) (int, string) {
	n := engine.NumelOf(op, names[1], src)
	engine.CheckNumelOf(op, names[1], src, n, f32or16...)
	engine.CheckNumelOf(op, names[0], dst, n, dstTypes...)
	switch dt := dst.DType(); {
	case dt == src.DType():
		return n, suffix(dt)
	case dt == engine.Float16:
		return n, mixed[0]
	}
	return n, mixed[1]
}

// Copy sets dst[i] = src[i], converting between float32 and float16.
func (d *Ops) Copy(dst, src *engine.Tensor) {
	engine.CheckBackend("Copy", d.Owner, dst, src)
	n, v := pairVariant("Copy", [2]string{"dst", "src"}, dst, src, f32or16, [2]string{"_to_f16", "_from_f16"})
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

// AddReLU sets y = max(a + b, 0) in one pass (y may alias a or b): every
// operand float32 or every one float16 (add_relu_f16: the float32 result
// rounded once, which is max(round(a + b), 0)).
func (d *Ops) AddReLU(y, a, b *engine.Tensor) {
	engine.CheckBackend("AddReLU", d.Owner, y, a, b)
	n, dt := engine.CheckAddReLU(y, a, b, f32or16...)
	d.elementwise("add_relu"+suffix(dt), n, &pushN{uint32(n)}, vkrt.Out(y), vkrt.In(a), vkrt.In(b))
}

// ReLUBackward sets dx = dy where y > 0, else 0: every operand float32 or
// every one float16.
func (d *Ops) ReLUBackward(dx, dy, y *engine.Tensor) {
	engine.CheckBackend("ReLUBackward", d.Owner, dx, dy, y)
	n, dt := engine.CheckSameOf("ReLUBackward", []string{"dx", "dy", "y"}, f32or16, dx, dy, y)
	d.elementwise("relu_backward"+suffix(dt), n, &pushN{uint32(n)}, vkrt.Out(dx), vkrt.In(dy), vkrt.In(y))
}

// Axpy sets y[i] += alpha * x[i]: y and x float16 (axpy_f16, y rounded
// once from the float32 y + alpha*x), x float16 into a float32 y
// (axpy_x16), or both float32.
func (d *Ops) Axpy(y *engine.Tensor, alpha float32, x *engine.Tensor) {
	engine.CheckBackend("Axpy", d.Owner, y, x)
	engine.NumelOf("Axpy", "x", x) // live before its dtype is read
	n, v := pairVariant("Axpy", [2]string{"y", "x"}, y, x, []engine.DType{engine.Float32, x.DType()}, [2]string{"", "_x16"})
	d.elementwise("axpy"+v, n, &pushNScalar{uint32(n), alpha}, vkrt.InOut(y), vkrt.In(x))
}
