package eltwise

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Elementwise ops: one invocation per element, 256 per workgroup, the grid
// spread over x and y by grid1D. CPU references: cpu.Fill, cpu.Copy, ...

const elemLocal = 256

// pushN mirrors `layout(push_constant) uniform Push { uint n; }` of
// copy.comp, add.comp, sub.comp, mul.comp, relu_forward.comp,
// relu_backward.comp and add_relu.comp.
type pushN struct {
	N uint32
}

// pushNScalar mirrors `{ uint n; float alpha; }` of scale.comp and
// axpy.comp (fill.comp's is vkrt.PushFill).
type pushNScalar struct {
	N     uint32
	Alpha float32
}

func (d *Ops) elementwise(shader string, n int, push any, args ...vkrt.Arg) {
	d.RT.Dispatch(vkrt.Kernel{Shader: shader, Push: push, Groups: d.RT.Grid1D(n, elemLocal), Args: args})
}

var dstAB = []string{"dst", "a", "b"}

// Copy, Add and the ReLUs, which take float16 storage: float16.go.

func (d *Ops) binary(op, shader string, dst, a, b *engine.Tensor) {
	engine.CheckBackend(op, d.Owner, dst, a, b)
	n := engine.CheckSame(op, dstAB, dst, a, b)
	d.elementwise(shader, n, &pushN{uint32(n)}, vkrt.Out(dst), vkrt.In(a), vkrt.In(b))
}

// Sub sets dst[i] = a[i] - b[i].
func (d *Ops) Sub(dst, a, b *engine.Tensor) { d.binary("Sub", "sub", dst, a, b) }

// Mul sets dst[i] = a[i] * b[i].
func (d *Ops) Mul(dst, a, b *engine.Tensor) { d.binary("Mul", "mul", dst, a, b) }

// Scale sets dst[i] = alpha * src[i].
func (d *Ops) Scale(dst, src *engine.Tensor, alpha float32) {
	engine.CheckBackend("Scale", d.Owner, dst, src)
	n := engine.CheckSame("Scale", []string{"dst", "src"}, dst, src)
	d.elementwise("scale", n, &pushNScalar{uint32(n), alpha}, vkrt.Out(dst), vkrt.In(src))
}
