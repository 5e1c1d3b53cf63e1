package conv

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Winograd F(m x m, 3x3) convolutions, m = 2 or 4 (engine/winograd.go has
// the geometry, engine/cpu/winograd.go the math and the reference; alpha =
// m + 2): for a 3x3 stride-1 convolution,
// the filter transform (winograd_filter_transform_f<m>.comp, alpha^2 x K x
// C), the input transform (winograd_input_transform_f<m>.comp, alpha^2 x C
// x T for T = N*ceil(P/m)*ceil(Q/m) tiles), alpha^2 batched GEMMs (the GEMM
// kernel of their shape class, tuned like any other) and the output
// transform (winograd_output_transform_f<m>.comp) do 2.25x (m = 2) or 4x
// (m = 4) fewer multiply-adds than the direct convolution, at the cost of
// the transformed tensors (scratch, released after the call:
// 4*alpha^2*(K*C + (C+K)*T) bytes; not zero-filled, NewScratch, since every
// element is written before it is read) and their memory traffic. The
// backward-data pass is the forward convolution of dy padded by 2 - pad
// with the flipped, transposed filter; the filter gradient goes through
// F(3x3, 2x2) or F(3x3, 4x4) (the transposes: the same input transform, a
// transform of dy, alpha^2 GEMMs reducing over the tiles, split-K where the
// channels are few, and a transform back to 3x3). On GPUs both tile sizes
// are autotuning candidates for eligible problems (engine.WinogradEligible),
// never the table's choice until measured there; on CPU devices
// such as lavapipe F(2x2, 3x3) is the table's choice for the forward and
// backward-data passes of layers of 16 channels or more (winogradTable).
// Tests force them with Config.Variant (Options.ConvVariant) "winograd_f2x3" / "winograd_f4x3".

// pushWinogradFilter mirrors `{ uint k, c, flip; }` of
// winograd_filter_transform.comp.
type pushWinogradFilter struct {
	K, C, Flip uint32
}

// pushWinogradInput mirrors `{ uint n, c, h, w, pad_h, pad_w, tp, tq; }` of
// winograd_input_transform.comp.
type pushWinogradInput struct {
	N, C, H, W, PadH, PadW, TP, TQ uint32
}

// pushWinogradOutput mirrors `{ uint n, k, p, q, tp, tq; }` of
// winograd_output_transform.comp.
type pushWinogradOutput struct {
	N, K, P, Q, TP, TQ uint32
}

// convWinograd and convWinograd4 are the Winograd kernel choices:
// F(2x2, 3x3) and F(4x4, 3x3) for the forward and backward-data passes,
// F(3x3, 2x2) and F(3x3, 4x4) for the filter gradient.
var (
	convWinograd  = convTile{winograd: 2}
	convWinograd4 = convTile{winograd: 4}
)

// winogradFits reports whether the Winograd path computes p's pass within
// the shaders' 32-bit indices, the device's grid and buffer-range limits,
// and with scratch of at most an eighth of the memory heap (so that timing
// it as a candidate cannot run a training out of memory).
func (o *Ops) winogradFits(pass string, p engine.Conv2DParams, m int) bool {
	if !engine.WinogradEligible(p) || (m != 2 && m != 4) {
		return false
	}
	q := p
	if pass == "backward_data" {
		q = engine.WinogradDataParams(p)
	}
	tp, tq := engine.WinogradTiles(q, m)
	T := q.N * tp * tq
	a2 := uint64((m + 2) * (m + 2))
	maxY := int(o.Limit.MaxComputeWorkGroupCount[1])
	big := a2 * uint64(max(q.C, q.K)) * uint64(T) // elements of the larger transformed tensor
	scratch := 4 * a2 * (uint64(q.K*q.C) + uint64(q.C+q.K)*uint64(T))
	return big < 1<<31 && 4*big <= uint64(o.Limit.MaxStorageBufferRange) && scratch <= o.RT.HeapSize()/8 &&
		max(q.C, q.K) <= maxY && vkrt.CeilDiv(T, 32) <= int(o.Limit.MaxComputeWorkGroupCount[0]) // 32: the narrowest GEMM tile over T
}

// winogradTable reports whether the table picks Winograd for a pass on a
// CPU device: where it computes the problem and the reduction (the input
// channels of the forward-equivalent problem) is at least 16 deep. On
// lavapipe (2 cores, batch 16, BenchmarkConvTiles) it ran 1.4-2.1x the
// register-blocked kernel on ResNet-18's 3x3 layers (16 to 512 channels)
// but 0.3-0.7x on the 1- and 3-channel stems, whose 16 GEMMs are 1 or 3
// deep. Its filter gradient ran 0.9-1.1x the split-K kernels on the 16- to
// 512-channel layers (0.2-0.4x on the stems), so that pass stays direct.
// F(4x4, 3x3) ran 1.1-1.5x F(2x2, 3x3) on the 32x32 layers but 0.4-0.5x on
// the 4x4 ones, and the whole w0.25 step was within noise of F(2x2, 3x3)
// (6.9-7.8 vs 7.2-7.6 images/s), so the table keeps F(2x2, 3x3).
func (o *Ops) winogradTable(pass string, p engine.Conv2DParams) bool {
	if pass == "backward_filter" || !o.winogradFits(pass, p, 2) {
		return false
	}
	inC := p.C
	if pass == "backward_data" {
		inC = p.K
	}
	return inC >= 16
}

// conv2dWinograd computes the forward convolution q of src (N, q.C, q.H,
// q.W) into dst (N, q.K, P, Q) through F(m x m, 3x3) with the filter w of
// the original problem: (q.K, q.C, 3, 3), or, with flip (the backward-data
// pass), (q.C, q.K, 3, 3) applied flipped and transposed.
func (o *Ops) conv2dWinograd(dst, src, w *engine.Tensor, q engine.Conv2DParams, flip bool, m int) {
	tp, tq := engine.WinogradTiles(q, m)
	T := q.N * tp * tq
	a2 := (m + 2) * (m + 2)
	suffix := fmt.Sprintf("_f%d", m)
	u, v, mt := o.RT.NewScratch(a2*q.K*q.C), o.RT.NewScratch(a2*q.C*T), o.RT.NewScratch(a2*q.K*T)
	fk, fc := q.K, q.C // the filter's (K, C) as stored
	if flip {
		fk, fc = q.C, q.K
	}
	o.RT.Dispatch(kernel{
		Shader: "winograd_filter_transform" + suffix,
		Push:   &pushWinogradFilter{uint32(fk), uint32(fc), b2u(flip)},
		Groups: [3]int{vkrt.CeilDiv(fk*fc, 256), 1, 1},
		Args:   []arg{out(u), in(w)},
	})
	o.RT.Dispatch(kernel{
		Shader: "winograd_input_transform" + suffix,
		Push:   &pushWinogradInput{uint32(q.N), uint32(q.C), uint32(q.H), uint32(q.W), uint32(q.PadH), uint32(q.PadW), uint32(tp), uint32(tq)},
		Groups: [3]int{vkrt.CeilDiv(T, 256), q.C, 1},
		Args:   []arg{out(v), in(src)},
	})
	o.cfg.Gemm.Record(o.cfg.Gemm.Choice(gemm.Class(a2, q.K, T, q.C)), false, false, a2, q.K, T, q.C, 1, u, v, 0, mt)
	o.RT.Dispatch(kernel{
		Shader: "winograd_output_transform" + suffix,
		Push:   &pushWinogradOutput{uint32(q.N), uint32(q.K), uint32(q.OutH()), uint32(q.OutW()), uint32(tp), uint32(tq)},
		Groups: [3]int{vkrt.CeilDiv(T, 256), q.K, 1},
		Args:   []arg{out(dst), in(mt)},
	})
	u.Release()
	v.Release()
	mt.Release()
}

// conv2dBackwardFilterWinograd computes dw (K, C, 3, 3) of p from dy and x
// through F(3x3, mt x mt).
func (o *Ops) conv2dBackwardFilterWinograd(dw, dy, x *engine.Tensor, p engine.Conv2DParams, mt int) {
	tp, tq := engine.WinogradTiles(p, mt)
	T := p.N * tp * tq
	a2 := (mt + 2) * (mt + 2)
	suffix := fmt.Sprintf("_f%d", mt)
	v, g, m := o.RT.NewScratch(a2*p.C*T), o.RT.NewScratch(a2*p.K*T), o.RT.NewScratch(a2*p.K*p.C)
	o.RT.Dispatch(kernel{
		Shader: "winograd_input_transform" + suffix,
		Push:   &pushWinogradInput{uint32(p.N), uint32(p.C), uint32(p.H), uint32(p.W), uint32(p.PadH), uint32(p.PadW), uint32(tp), uint32(tq)},
		Groups: [3]int{vkrt.CeilDiv(T, 256), p.C, 1},
		Args:   []arg{out(v), in(x)},
	})
	o.RT.Dispatch(kernel{
		Shader: "winograd_grad_transform" + suffix,
		Push:   &pushWinogradOutput{uint32(p.N), uint32(p.K), uint32(p.OutH()), uint32(p.OutW()), uint32(tp), uint32(tq)},
		Groups: [3]int{vkrt.CeilDiv(T, 256), p.K, 1},
		Args:   []arg{out(g), in(dy)},
	})
	o.cfg.Gemm.Record(o.winogradFilterGemm(a2, p.K, p.C, T), false, true, a2, p.K, p.C, T, 1, g, v, 0, m)
	o.RT.Dispatch(kernel{
		Shader: "winograd_filter_grad_transform" + suffix,
		Push:   &pushWinogradFilter{uint32(p.K), uint32(p.C), 0},
		Groups: [3]int{vkrt.CeilDiv(p.K*p.C, 256), 1, 1},
		Args:   []arg{out(dw), in(m)},
	})
	v.Release()
	g.Release()
	m.Release()
}

// winogradFilterGemm is the GEMM kernel of the filter gradient's batch
// (alpha^2) of products (K, T) x (T, C): the split-K class's where K and C
// are small and the reduction over the tiles long (few output tiles), else
// the batched product's class.
func (o *Ops) winogradFilterGemm(batch, k, c, T int) string {
	if k <= 256 && c <= 256 && T >= 8192 {
		return o.cfg.Gemm.Choice(gemm.ClassSplitK)
	}
	return o.cfg.Gemm.Choice(gemm.Class(batch, k, c, T))
}
