package eltwise

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Max pooling with argmax and global average pooling
// (shaders/maxpool2d_*.comp, shaders/globalavgpool_*.comp). The max-pool
// backward is a gather over the windows covering each input element, in the
// CPU reference's order: deterministic, no atomics. CPU references:
// cpu.MaxPool2DForward, cpu.MaxPool2DBackward, cpu.GlobalAvgPoolForward,
// cpu.GlobalAvgPoolBackward. Float16 storage: the _f16 variants take
// the activations (x and y, dy and dx) as engine.Float16, argmax stays
// float32 (engine/dtype_linear.go).

// pushPool mirrors `{ uint n, c, h, w, kh, kw, stride_h, stride_w, pad_h,
// pad_w, p, q; }` of maxpool2d_forward.comp and maxpool2d_backward.comp.
type pushPool struct {
	N, C, H, W       uint32
	KH, KW           uint32
	StrideH, StrideW uint32
	PadH, PadW       uint32
	P, Q             uint32
}

// pushAvgPool mirrors `{ uint planes, hw; }` of globalavgpool_forward.comp
// and globalavgpool_backward.comp.
type pushAvgPool struct {
	Planes, HW uint32
}

// checkPool checks the tensors of a max-pool op whose p the caller has
// validated (it needs p.OutH and p.OutW for the sizes) and returns the push
// constants: ts[0] (y, dx) stored as ts[2] (x, dy), float32 or float16;
// ts[1] (argmax) float32.
func (d *Ops) checkPool(op string, p engine.Pool2DParams, names [3]string, ts [3]*engine.Tensor, sizes [3]int) *pushPool {
	engine.CheckBackend(op, d.Owner, ts[0], ts[1], ts[2])
	engine.CheckNumelOf(op, names[2], ts[2], sizes[2], f32or16...)
	engine.CheckNumelAs(op, names[0], ts[0], sizes[0], names[2], ts[2])
	engine.CheckNumel(op, names[1], ts[1], sizes[1])
	if p.H*p.W > 1<<24 {
		panic(fmt.Sprintf("engine: %s: %dx%d planes: argmax indices beyond 2^24 are not exact in float32", op, p.H, p.W))
	}
	if uint64(p.N)*uint64(p.C)*uint64(p.H)*uint64(p.W) >= 1<<31 {
		panic(fmt.Sprintf("engine: %s: %+v exceeds the shaders' 2^31 indices", op, p))
	}
	return &pushPool{uint32(p.N), uint32(p.C), uint32(p.H), uint32(p.W), uint32(p.KH), uint32(p.KW),
		uint32(p.StrideH), uint32(p.StrideW), uint32(p.PadH), uint32(p.PadW), uint32(p.OutH()), uint32(p.OutW())}
}

// MaxPool2DForward: x (N,C,H,W) -> y, argmax (N,C,P,Q).
func (d *Ops) MaxPool2DForward(y, argmax, x *engine.Tensor, p engine.Pool2DParams) {
	p.Validate("MaxPool2DForward")
	outN := p.N * p.C * p.OutH() * p.OutW()
	push := d.checkPool("MaxPool2DForward", p, [3]string{"y", "argmax", "x"}, [3]*engine.Tensor{y, argmax, x},
		[3]int{outN, outN, p.N * p.C * p.H * p.W})
	d.RT.Dispatch(vkrt.Kernel{Shader: "maxpool2d_forward" + suffix(x.DType()), Push: push, Groups: d.RT.Grid1D(outN, 256),
		Args: []vkrt.Arg{vkrt.Out(y), vkrt.Out(argmax), vkrt.In(x)}})
}

// MaxPool2DBackward: dy, argmax (N,C,P,Q) -> dx (N,C,H,W), overwritten.
func (d *Ops) MaxPool2DBackward(dx, dy, argmax *engine.Tensor, p engine.Pool2DParams) {
	p.Validate("MaxPool2DBackward")
	outN := p.N * p.C * p.OutH() * p.OutW()
	inN := p.N * p.C * p.H * p.W
	push := d.checkPool("MaxPool2DBackward", p, [3]string{"dx", "argmax", "dy"}, [3]*engine.Tensor{dx, argmax, dy},
		[3]int{inN, outN, outN})
	d.RT.Dispatch(vkrt.Kernel{Shader: "maxpool2d_backward" + suffix(dy.DType()), Push: push, Groups: d.RT.Grid1D(inN, 256),
		Args: []vkrt.Arg{vkrt.Out(dx), vkrt.In(dy), vkrt.In(argmax)}})
}

// GlobalAvgPoolForward: x (n,c,hw) -> y (n,c).
func (d *Ops) GlobalAvgPoolForward(y, x *engine.Tensor, n, c, hw int) {
	checkNCHW("GlobalAvgPoolForward", n, c, hw)
	engine.CheckBackend("GlobalAvgPoolForward", d.Owner, y, x)
	engine.CheckNumelOf("GlobalAvgPoolForward", "x", x, n*c*hw, f32or16...)
	engine.CheckNumelAs("GlobalAvgPoolForward", "y", y, n*c, "x", x)
	d.RT.Dispatch(vkrt.Kernel{Shader: "globalavgpool_forward" + suffix(x.DType()), Push: &pushAvgPool{uint32(n * c), uint32(hw)},
		Groups: d.RT.Grid1D(n*c, 64), Args: []vkrt.Arg{vkrt.Out(y), vkrt.In(x)}})
}

// GlobalAvgPoolBackward: dy (n,c) -> dx (n,c,hw) = dy / hw.
func (d *Ops) GlobalAvgPoolBackward(dx, dy *engine.Tensor, n, c, hw int) {
	checkNCHW("GlobalAvgPoolBackward", n, c, hw)
	engine.CheckBackend("GlobalAvgPoolBackward", d.Owner, dx, dy)
	engine.CheckNumelOf("GlobalAvgPoolBackward", "dy", dy, n*c, f32or16...)
	engine.CheckNumelAs("GlobalAvgPoolBackward", "dx", dx, n*c*hw, "dy", dy)
	d.RT.Dispatch(vkrt.Kernel{Shader: "globalavgpool_backward" + suffix(dy.DType()), Push: &pushAvgPool{uint32(n * c), uint32(hw)},
		Groups: d.RT.Grid1D(n*c*hw, 256), Args: []vkrt.Arg{vkrt.Out(dx), vkrt.In(dy)}})
}
