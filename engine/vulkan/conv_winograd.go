package vulkan

import (
	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Winograd F(2x2, 3x3) convolutions (cpu/winograd.go has the math and the
// reference): for a 3x3 stride-1 convolution, the filter transform
// (winograd_filter_transform.comp, 16 x K x C), the input transform
// (winograd_input_transform.comp, 16 x C x T for T = N*ceil(P/2)*ceil(Q/2)
// tiles), 16 batched GEMMs (the GEMM kernel of their shape class, tuned
// like any other) and the output transform (winograd_output_transform.comp)
// do 2.25x fewer multiply-adds than the direct convolution, at the cost of
// the transformed tensors (scratch, released after the call:
// 4*16*(K*C + C*T + K*T) bytes) and their memory traffic. The
// backward-data pass is the forward convolution of dy padded by 2 - pad
// with the flipped, transposed filter; the filter gradient goes through
// F(3x3, 2x2) (the transpose: the same input transform, a transform of dy,
// 16 GEMMs reducing over the tiles, split-K where the channels are few,
// and a transform back to 3x3). It is an autotuning candidate for
// the three passes of eligible problems
// (cpu.WinogradEligible) on GPUs (not the GPU table's choice until
// measured there), the table's choice on CPU devices such as lavapipe for
// layers of 16 channels or more (winogradTable), and can be forced for
// tests (convVariant "winograd").

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

// convWinograd is the Winograd kernel choice.
var convWinograd = convTile{winograd: true}

// winogradFits reports whether the Winograd path computes p's pass within
// the shaders' 32-bit indices, the device's grid and buffer-range limits,
// and with scratch of at most an eighth of the memory heap (so that timing
// it as a candidate cannot run a training out of memory).
func (d *Device) winogradFits(pass string, p engine.Conv2DParams) bool {
	if !cpu.WinogradEligible(p) {
		return false
	}
	q := p
	if pass == "backward_data" {
		q = cpu.WinogradDataParams(p)
	}
	tp, tq := cpu.WinogradTiles(q)
	T := q.N * tp * tq
	maxY := int(d.limit.MaxComputeWorkGroupCount[1])
	big := 16 * uint64(max(q.C, q.K)) * uint64(T) // elements of the larger transformed tensor
	scratch := 4 * 16 * (uint64(q.K*q.C) + uint64(q.C+q.K)*uint64(T))
	return big < 1<<31 && 4*big <= uint64(d.limit.MaxStorageBufferRange) && scratch <= d.mem.heapSize/8 &&
		max(q.C, q.K) <= maxY && ceilDiv(T, 256) <= int(d.limit.MaxComputeWorkGroupCount[0])
}

// winogradTable reports whether the table picks Winograd for a pass on a
// CPU device: where it computes the problem and the reduction (the input
// channels of the forward-equivalent problem) is at least 16 deep. On
// lavapipe (2 cores, batch 16, BenchmarkConvTiles) it ran 1.4-2.1x the
// register-blocked kernel on ResNet-18's 3x3 layers (16 to 512 channels)
// but 0.3-0.7x on the 1- and 3-channel stems, whose 16 GEMMs are 1 or 3
// deep. Its filter gradient ran 0.9-1.1x the split-K kernels on the 16- to
// 512-channel layers (0.2-0.4x on the stems), so that pass stays direct.
func (d *Device) winogradTable(pass string, p engine.Conv2DParams) bool {
	if pass == "backward_filter" || !d.winogradFits(pass, p) {
		return false
	}
	inC := p.C
	if pass == "backward_data" {
		inC = p.K
	}
	return inC >= 16
}

// conv2dWinograd computes the forward convolution q of src (N, q.C, q.H,
// q.W) into dst (N, q.K, P, Q) with the filter w of the original problem:
// (q.K, q.C, 3, 3), or, with flip (the backward-data pass), (q.C, q.K, 3, 3)
// applied flipped and transposed.
func (d *Device) conv2dWinograd(dst, src, w *engine.Tensor, q engine.Conv2DParams, flip bool) {
	tp, tq := cpu.WinogradTiles(q)
	T := q.N * tp * tq
	u, v, m := d.New(16*q.K*q.C), d.New(16*q.C*T), d.New(16*q.K*T)
	fk, fc := q.K, q.C // the filter's (K, C) as stored
	if flip {
		fk, fc = q.C, q.K
	}
	d.dispatch(kernel{
		Shader: "winograd_filter_transform",
		Push:   &pushWinogradFilter{uint32(fk), uint32(fc), b2u(flip)},
		Groups: [3]int{ceilDiv(fk*fc, 256), 1, 1},
		Args:   []arg{out(u), in(w)},
	})
	d.dispatch(kernel{
		Shader: "winograd_input_transform",
		Push:   &pushWinogradInput{uint32(q.N), uint32(q.C), uint32(q.H), uint32(q.W), uint32(q.PadH), uint32(q.PadW), uint32(tp), uint32(tq)},
		Groups: [3]int{ceilDiv(T, 256), q.C, 1},
		Args:   []arg{out(v), in(src)},
	})
	d.gemmRecord(d.gemmChoice(gemmClass(16, q.K, T, q.C)), false, false, 16, q.K, T, q.C, 1, u, v, 0, m)
	d.dispatch(kernel{
		Shader: "winograd_output_transform",
		Push:   &pushWinogradOutput{uint32(q.N), uint32(q.K), uint32(q.OutH()), uint32(q.OutW()), uint32(tp), uint32(tq)},
		Groups: [3]int{ceilDiv(T, 256), q.K, 1},
		Args:   []arg{out(dst), in(m)},
	})
	u.Release()
	v.Release()
	m.Release()
}

// conv2dBackwardFilterWinograd computes dw (K, C, 3, 3) of p from dy and x
// through F(3x3, 2x2).
func (d *Device) conv2dBackwardFilterWinograd(dw, dy, x *engine.Tensor, p engine.Conv2DParams) {
	tp, tq := cpu.WinogradTiles(p)
	T := p.N * tp * tq
	v, g, m := d.New(16*p.C*T), d.New(16*p.K*T), d.New(16*p.K*p.C)
	d.dispatch(kernel{
		Shader: "winograd_input_transform",
		Push:   &pushWinogradInput{uint32(p.N), uint32(p.C), uint32(p.H), uint32(p.W), uint32(p.PadH), uint32(p.PadW), uint32(tp), uint32(tq)},
		Groups: [3]int{ceilDiv(T, 256), p.C, 1},
		Args:   []arg{out(v), in(x)},
	})
	d.dispatch(kernel{
		Shader: "winograd_grad_transform",
		Push:   &pushWinogradOutput{uint32(p.N), uint32(p.K), uint32(p.OutH()), uint32(p.OutW()), uint32(tp), uint32(tq)},
		Groups: [3]int{ceilDiv(T, 256), p.K, 1},
		Args:   []arg{out(g), in(dy)},
	})
	d.gemmRecord(d.winogradFilterGemm(p.K, p.C, T), false, true, 16, p.K, p.C, T, 1, g, v, 0, m)
	d.dispatch(kernel{
		Shader: "winograd_filter_grad_transform",
		Push:   &pushWinogradFilter{uint32(p.K), uint32(p.C), 0},
		Groups: [3]int{ceilDiv(p.K*p.C, 256), 1, 1},
		Args:   []arg{out(dw), in(m)},
	})
	v.Release()
	g.Release()
	m.Release()
}

// winogradFilterGemm is the GEMM kernel of the filter gradient's 16
// products (K, T) x (T, C): the split-K class's where K and C are small
// and the reduction over the tiles long (few output tiles), else the
// batched product's class.
func (d *Device) winogradFilterGemm(k, c, T int) string {
	if k <= 256 && c <= 256 && T >= 8192 {
		return d.gemmChoice(classSplitK)
	}
	return d.gemmChoice(gemmClass(16, k, c, T))
}
