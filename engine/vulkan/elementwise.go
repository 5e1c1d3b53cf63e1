package vulkan

import "simclr-vk/engine"

// Elementwise ops: one invocation per element, 256 per workgroup, the grid
// spread over x and y by grid1D. CPU references: cpu.Fill, cpu.Copy, ...

const elemLocal = 256

// pushN mirrors `layout(push_constant) uniform Push { uint n; }` of
// copy.comp, add.comp, sub.comp, mul.comp, relu_forward.comp and
// relu_backward.comp.
type pushN struct {
	N uint32
}

// pushNScalar mirrors `{ uint n; float alpha; }` of scale.comp and
// axpy.comp (fill.comp's is vkrt.PushFill).
type pushNScalar struct {
	N     uint32
	Alpha float32
}

func (d *Device) elementwise(shader string, n int, push any, args ...arg) {
	d.dispatch(kernel{Shader: shader, Push: push, Groups: d.grid1D(n, elemLocal), Args: args})
}

// Copy sets dst[i] = src[i].
func (d *Device) Copy(dst, src *engine.Tensor) {
	engine.CheckBackend("Copy", d, dst, src)
	n := engine.CheckSame("Copy", []string{"dst", "src"}, dst, src)
	d.elementwise("copy", n, &pushN{uint32(n)}, out(dst), in(src))
}

var dstAB = []string{"dst", "a", "b"}

func (d *Device) binary(op, shader string, dst, a, b *engine.Tensor) {
	engine.CheckBackend(op, d, dst, a, b)
	n := engine.CheckSame(op, dstAB, dst, a, b)
	d.elementwise(shader, n, &pushN{uint32(n)}, out(dst), in(a), in(b))
}

// Add sets dst[i] = a[i] + b[i] (dst may alias a or b).
func (d *Device) Add(dst, a, b *engine.Tensor) { d.binary("Add", "add", dst, a, b) }

// Sub sets dst[i] = a[i] - b[i].
func (d *Device) Sub(dst, a, b *engine.Tensor) { d.binary("Sub", "sub", dst, a, b) }

// Mul sets dst[i] = a[i] * b[i].
func (d *Device) Mul(dst, a, b *engine.Tensor) { d.binary("Mul", "mul", dst, a, b) }

// Scale sets dst[i] = alpha * src[i].
func (d *Device) Scale(dst, src *engine.Tensor, alpha float32) {
	engine.CheckBackend("Scale", d, dst, src)
	n := engine.CheckSame("Scale", []string{"dst", "src"}, dst, src)
	d.elementwise("scale", n, &pushNScalar{uint32(n), alpha}, out(dst), in(src))
}

// Axpy sets y[i] += alpha * x[i].
func (d *Device) Axpy(y *engine.Tensor, alpha float32, x *engine.Tensor) {
	engine.CheckBackend("Axpy", d, y, x)
	n := engine.CheckSame("Axpy", []string{"y", "x"}, y, x)
	d.elementwise("axpy", n, &pushNScalar{uint32(n), alpha}, inout(y), in(x))
}

// ReLUForward sets y = max(x, 0).
func (d *Device) ReLUForward(y, x *engine.Tensor) {
	engine.CheckBackend("ReLUForward", d, y, x)
	n := engine.CheckSame("ReLUForward", []string{"y", "x"}, y, x)
	d.elementwise("relu_forward", n, &pushN{uint32(n)}, out(y), in(x))
}

// ReLUBackward sets dx = dy where y > 0, else 0.
func (d *Device) ReLUBackward(dx, dy, y *engine.Tensor) {
	engine.CheckBackend("ReLUBackward", d, dx, dy, y)
	n := engine.CheckSame("ReLUBackward", []string{"dx", "dy", "y"}, dx, dy, y)
	d.elementwise("relu_backward", n, &pushN{uint32(n)}, out(dx), in(dy), in(y))
}
