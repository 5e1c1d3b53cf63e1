package eltwise

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Per-channel bias over (n, c, hw) tensors (shaders/bias_*.comp; the _f16
// variants take a float16 y, dy). CPU references: cpu.BiasForward,
// cpu.BiasBackward.

// pushBias mirrors `{ uint n, c, hw; }` of bias_forward.comp and
// bias_backward.comp.
type pushBias struct {
	N, C, HW uint32
}

func checkNCHW(op string, n, c, hw int) {
	engine.CheckSizes(op, "n c hw", n, c, hw)
	if uint64(n)*uint64(c)*uint64(hw) >= 1<<31 {
		panic(fmt.Sprintf("engine: %s: %dx%dx%d elements exceed the shaders' 2^31 indices", op, n, c, hw))
	}
}

// BiasForward: y (n,c,hw) += bias (c), in place; y float32 or float16
// (rounded once), bias float32.
func (d *Ops) BiasForward(y, bias *engine.Tensor, n, c, hw int) {
	checkNCHW("BiasForward", n, c, hw)
	engine.CheckBackend("BiasForward", d.Owner, y, bias)
	engine.CheckNumelOf("BiasForward", "y", y, n*c*hw, f32or16...)
	engine.CheckNumel("BiasForward", "bias", bias, c)
	d.RT.Dispatch(vkrt.Kernel{Shader: "bias_forward" + suffix(y.DType()), Push: &pushBias{uint32(n), uint32(c), uint32(hw)},
		Groups: d.RT.Grid1D(n*c*hw, 256), Args: []vkrt.Arg{vkrt.InOut(y), vkrt.In(bias)}})
}

// BiasBackward: db (c) = sum over n and hw of dy (n,c,hw); dy float32
// or float16, db float32.
func (d *Ops) BiasBackward(db, dy *engine.Tensor, n, c, hw int) {
	checkNCHW("BiasBackward", n, c, hw)
	engine.CheckBackend("BiasBackward", d.Owner, db, dy)
	engine.CheckNumel("BiasBackward", "db", db, c)
	engine.CheckNumelOf("BiasBackward", "dy", dy, n*c*hw, f32or16...)
	d.RT.Dispatch(vkrt.Kernel{Shader: "bias_backward" + suffix(dy.DType()), Push: &pushBias{uint32(n), uint32(c), uint32(hw)},
		Groups: d.RT.Grid1D(c, 1), Args: []vkrt.Arg{vkrt.Out(db), vkrt.In(dy)}})
}
