package eltwise

import (
	"fmt"
	"math"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Optimizer steps, elementwise, updating w and the state in place. LARS
// computes its norms on the device (lars_norms: per-workgroup partial sums
// over fixed chunks, then every lars_step workgroup adds the partials in
// the same fixed order): deterministic, no host round-trip.
// CPU references: cpu.SGDStep, cpu.LARSStep, cpu.AdamWStep.

// pushSGD mirrors `{ uint n; float lr, momentum, weightDecay; uint nesterov; }`
// of sgd_step.comp.
type pushSGD struct {
	N                         uint32
	LR, Momentum, WeightDecay float32
	Nesterov                  uint32
}

// pushAdamW mirrors `{ uint n; float lr, beta1, beta2, eps, weightDecay, bc1, bc2; }`
// of adamw_step.comp.
type pushAdamW struct {
	N                                  uint32
	LR, Beta1, Beta2, Eps, WeightDecay float32
	BC1, BC2                           float32
}

// pushLARS mirrors `{ uint n, chunk, parts; float lr, momentum, weightDecay, eta; }`
// of lars_norms.comp and lars_step.comp.
type pushLARS struct {
	N, Chunk, Parts                uint32
	LR, Momentum, WeightDecay, Eta float32
}

const (
	optimLocal      = 256
	larsTargetChunk = 4096 // target elements per lars_norms workgroup (fixedChunks)
	larsMaxParts    = 256  // lars_norms workgroups at most
)

func (d *Ops) checkOptim(op string, names []string, ts ...*engine.Tensor) int {
	engine.CheckBackend(op, d.Owner, ts...)
	n := engine.CheckSame(op, names, ts...)
	if uint64(n) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: %d elements exceed 2^32 (32-bit shader indices)", op, n))
	}
	return n
}

// SGDStep: PyTorch SGD with momentum, optional Nesterov and weight decay.
func (d *Ops) SGDStep(w, g, v *engine.Tensor, p engine.SGDParams) {
	n := d.checkOptim("SGDStep", []string{"w", "g", "v"}, w, g, v)
	d.RT.Dispatch(vkrt.Kernel{Shader: "sgd_step", Push: &pushSGD{uint32(n), p.LR, p.Momentum, p.WeightDecay, b2u(p.Nesterov)},
		Groups: d.RT.Grid1D(n, optimLocal), Args: []vkrt.Arg{vkrt.InOut(w), vkrt.In(g), vkrt.InOut(v)}})
}

// AdamWStep: PyTorch AdamW (decoupled weight decay); p.Step counts from 1.
func (d *Ops) AdamWStep(w, g, m, v *engine.Tensor, p engine.AdamWParams) {
	const op = "AdamWStep"
	n := d.checkOptim(op, []string{"w", "g", "m", "v"}, w, g, m, v)
	if p.Step < 1 {
		panic(fmt.Sprintf("engine: %s: step %d, want >= 1 (steps count from 1)", op, p.Step))
	}
	bc1 := float32(1 - math.Pow(float64(p.Beta1), float64(p.Step)))
	bc2 := float32(1 - math.Pow(float64(p.Beta2), float64(p.Step)))
	d.RT.Dispatch(vkrt.Kernel{Shader: "adamw_step", Push: &pushAdamW{uint32(n), p.LR, p.Beta1, p.Beta2, p.Eps, p.WeightDecay, bc1, bc2},
		Groups: d.RT.Grid1D(n, optimLocal), Args: []vkrt.Arg{vkrt.InOut(w), vkrt.In(g), vkrt.InOut(m), vkrt.InOut(v)}})
}

// LARSStep: the SimCLR LARS update (see engine.LARSParams).
func (d *Ops) LARSStep(w, g, v *engine.Tensor, p engine.LARSParams) {
	n := d.checkOptim("LARSStep", []string{"w", "g", "v"}, w, g, v)
	local := vkrt.ReduceLocal(d.Info, d.Limit)
	parts, chunk := fixedChunks(n, larsTargetChunk, larsMaxParts)
	push := &pushLARS{uint32(n), uint32(chunk), uint32(parts), p.LR, p.Momentum, p.WeightDecay, p.Eta}
	if p.Exclude {
		d.RT.Dispatch(vkrt.Kernel{Shader: "lars_step", Spec: []uint32{uint32(local), 1}, Push: push,
			Groups: d.RT.Grid1D(n, local), Args: []vkrt.Arg{vkrt.InOut(w), vkrt.In(g), vkrt.InOut(v), vkrt.In(g)}})
		return
	}
	partial := d.RT.New(2 * parts)
	d.RT.Dispatch(vkrt.Kernel{Shader: "lars_norms", Spec: []uint32{uint32(local)}, Push: push,
		Groups: d.RT.Grid1D(parts, 1), Args: []vkrt.Arg{vkrt.Out(partial), vkrt.In(w), vkrt.In(g)}})
	d.RT.Dispatch(vkrt.Kernel{Shader: "lars_step", Spec: []uint32{uint32(local), 0}, Push: push,
		Groups: d.RT.Grid1D(n, local), Args: []vkrt.Arg{vkrt.InOut(w), vkrt.In(g), vkrt.InOut(v), vkrt.In(partial)}})
	partial.Release()
}
