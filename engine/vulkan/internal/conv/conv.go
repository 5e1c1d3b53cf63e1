package conv

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
	"simclr-vk/shaders"
)

// Convolutions as implicit GEMMs (shaders/conv2d_*.comp): the im2col gather
// happens inside the shader, so no im2col buffer is ever allocated. Each
// invocation computes a TM x TN register block of the GEMM output. Two
// kernel shapes, like the GEMM: conv2d_<pass> keeps everything in
// registers with no barrier() (CPU devices such as lavapipe; workgroup and
// block sizes are specialization constants chosen here), and
// conv2d_<pass>_tiled_<variant> stages BM x BK and BK x BN tiles through
// shared memory in compiled, fully unrolled variants (convTiledVariants;
// GPUs, layers of 32 channels or more; backward-data at stride > 1 one
// stride class per workgroup z, so that no tap that misses dy is staged).
// A 1x1, stride-1, unpadded
// convolution is a plain GEMM over x: the kernels with DIRECT = 1 drop the
// gather. 3x3 stride-1 layers can also go through Winograd
// (winograd.go). Which kernel runs: convTileFor (the table, or the
// autotuner of autotune.go).
// The filter gradient (output K x C*R*S, often few tiles, reduction over
// N*P*Q huge) splits its reduction into chunks, one per gl_WorkGroupID.z,
// until there are about 2*fillGroups workgroups on GPUs (1024 on a
// discrete one) or 32 on CPU devices, each chunk at least 64 pixels (whole
// BK-pixel tiles on the tiled kernel); the partial blocks, a scratch tensor
// released after, are added by sum_cols in a fixed order (deterministic, no
// float atomics). One chunk writes dw directly. The autotuner also times an
// eighth, half and twice that target (convSplits). CPU references: cpu.Conv2DForward, cpu.Conv2DBackwardData,
// cpu.Conv2DBackwardFilter.

// pushConv mirrors `{ uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk; }` of conv2d_forward.comp, conv2d_backward_data.comp
// and conv2d_backward_filter.comp.
type pushConv struct {
	N, C, H, W, K, R, S, P, Q uint32
	StrideH, StrideW          uint32
	PadH, PadW                uint32
	Chunk                     uint32
}

func newPushConv(p engine.Conv2DParams, chunk int) *pushConv {
	return &pushConv{uint32(p.N), uint32(p.C), uint32(p.H), uint32(p.W), uint32(p.K), uint32(p.R), uint32(p.S),
		uint32(p.OutH()), uint32(p.OutW()), uint32(p.StrideH), uint32(p.StrideW), uint32(p.PadH), uint32(p.PadW), uint32(chunk)}
}

// convTile is one choice of kernel: the register-blocked kernel with local
// size (wgX, wgY) and tm x tn outputs per invocation (specialization
// constants), or (tiled) one compiled variant of the shared-memory kernel
// (variant, its "// variant:" suffix), with a bm x bn block tile bk deep
// and tm x tn outputs per invocation.
type convTile struct {
	wgX, wgY, tm, tn int
	tiled            bool
	variant          string // tiled: "<bm>x<bn>[_k16][_db]"
	bm, bn, bk       int
	db               bool // double-buffered tiled variant
	cm               bool // cooperative-matrix variant "<bm>x128[_db|_k32]_cm_s<lanes>[_f16]" (internal/gemm/coopmat.go, convCoopMat)
	f16              bool // float16 activations: conv2d_<pass>_f16 or a "<tile>[_cm_s<lanes>]_f16" variant (conv16.go)
	winograd         int  // m of Winograd F(m x m, 3x3), 0: not Winograd (winograd.go)
	// split scales the filter gradient's split-K target (the workgroups
	// its reduction chunks aim at, convFilterTarget) by 2^split; 0 is the
	// default, other values are autotuning candidates (convSplits).
	split int
}

// convSplits are the split-K targets the autotuner also times for a
// filter gradient, as powers of two of the default (an eighth, a half,
// twice), where they give another number of chunks: the best split
// depends on how much work a chunk holds against the partial block it
// writes, which no formula here knows for every device.
var convSplits = []int{-3, -1, 1}

// convTiledVariants are the float32 variants of conv2d_<pass>_tiled.comp
// this package uses: the table's convTableVariants, largest first, then the
// 16-deep and double-buffered ones (autotuning candidates only until
// measured on a GPU).
var convTiledVariants = convTiles("128x128", "128x64", "64x128", "64x64", "128x128_k16", "128x128_db", "64x64_db")

// convTiles are the tiles of variants of conv2d_<pass>_tiled.comp, their
// geometry from its "// variant:" lines (shaders.Variants; the three
// passes have the same lines).
func convTiles(variants ...string) []convTile {
	var out []convTile
	for _, s := range variants {
		v := shaders.MustVariant("conv2d_forward_tiled", s)
		t := convTile{tiled: true, cm: v.CMSGS != 0, f16: v.F16, variant: s, bm: v.BM, bn: v.BN, bk: v.BK, tm: v.TM, tn: v.TN, db: v.DB}
		if t.cm {
			t.wgX = v.WG() // see wg
		}
		out = append(out, t)
	}
	return out
}

const convTableVariants = 4

// name is the kernel's name in plans and benchmarks: "tiled_<variant>",
// "regblock_<wgX>x<wgY>_<tm>x<tn>[_f16]" or "winograd_f<m>x3".
func (t convTile) name() string {
	if t.winograd != 0 {
		return fmt.Sprintf("winograd_f%dx3", t.winograd)
	}
	sp := ""
	switch {
	case t.split < 0:
		sp = fmt.Sprintf("_chunks_div%d", 1<<-t.split)
	case t.split > 0:
		sp = fmt.Sprintf("_chunks_mul%d", 1<<t.split)
	}
	if t.tiled {
		return "tiled_" + t.variant + sp
	}
	if t.f16 {
		sp = "_f16" + sp
	}
	return fmt.Sprintf("regblock_%dx%d_%dx%d%s", t.wgX, t.wgY, t.tm, t.tn, sp)
}

func (t convTile) spec(direct bool) []uint32 {
	if t.tiled {
		return []uint32{b2u(direct)}
	}
	return []uint32{uint32(t.wgX), uint32(t.wgY), uint32(t.tm), uint32(t.tn), b2u(direct)}
}

// wg is the tiled kernel's local size.
func (t convTile) wg() int {
	if t.cm {
		return t.wgX // set by convTiles
	}
	return (t.bm / t.tm) * (t.bn / t.tn)
}

// convCoopMat are the cooperative-matrix tiles of this device
// (Config.CoopMat != ""): 128x128_<cm>, 64x128_<cm> (for 64-channel layers), then, where
// their shared memory fits, the double-buffered 128x128_db_<cm> and the
// 32-deep 128x128_k32_<cm> (the table picks between the first two by
// rows; the tuner times all).
func (o *Ops) convCoopMat() []convTile {
	out := convTiles("128x128_"+o.cfg.CoopMat, "64x128_"+o.cfg.CoopMat)
	for _, t := range convTiles("128x128_db_"+o.cfg.CoopMat, "128x128_k32_"+o.cfg.CoopMat) {
		if vkrt.CoopMatShared(o.cfg.CoopMat, t.bm, t.bk, t.db) <= int(o.Limit.MaxComputeSharedMemorySize) {
			out = append(out, t)
		}
	}
	return out
}

// shader is the kernel for pass ("forward", "backward_data", ...).
func (t convTile) shader(pass string) string {
	if t.tiled {
		return "conv2d_" + pass + "_tiled_" + t.variant
	}
	if t.f16 {
		return "conv2d_" + pass + "_f16"
	}
	return "conv2d_" + pass
}

// rows and cols of the GEMM output one workgroup covers.
func (t convTile) rows() int {
	if t.tiled {
		return t.bm
	}
	return t.wgY * t.tm
}

func (t convTile) cols() int {
	if t.tiled {
		return t.bn
	}
	return t.wgX * t.tn
}

// fits reports whether a choice respects the device's workgroup and shared
// memory limits (the filter kernel pads each tile row by a vec4).
func (o *Ops) fits(t convTile) bool {
	if t.winograd != 0 {
		return true // per problem: winogradFits
	}
	if t.cm {
		return true // checked when the device was opened (coopMatInfo)
	}
	if !t.tiled {
		return t.wgX*t.wgY <= int(o.Limit.MaxComputeWorkGroupInvocations)
	}
	wg, bufs := t.wg(), 1
	if t.db {
		bufs = 2
	}
	return wg <= int(o.Limit.MaxComputeWorkGroupInvocations) && wg <= int(o.Limit.MaxComputeWorkGroupSize[0]) &&
		4*(t.bm+t.bn+8)*t.bk*bufs <= int(o.Limit.MaxComputeSharedMemorySize)
}

// convShape is a pass's GEMM: rows (output channels, or input channels for
// backward-data) by cols (output pixels; input pixels; filter taps for
// backward-filter).
func convShape(pass string, p engine.Conv2DParams) (rows, cols int) {
	switch pass {
	case "forward":
		return p.K, p.N * p.OutH() * p.OutW()
	case "backward_data":
		return p.C, p.N * p.H * p.W
	}
	return p.K, p.C * p.R * p.S
}

// convArgs are a convolution kernel's bindings: args, and for a
// cooperative-matrix tile the largest magnitudes of its GEMM's A and B
// (binding 3, internal/gemm: Ops.CoopMatMax, which leaves the word of a
// float16 operand zero: the _f16 tiles stage those unscaled and never
// read it). Call done once the kernel is recorded (it
// releases that tensor; the allocator keeps it while the kernel is
// pending).
func (o *Ops) convArgs(t convTile, args []arg, a, b *engine.Tensor) (all []arg, done func()) {
	if !t.cm {
		return args, func() {}
	}
	scales := o.cfg.Gemm.CoopMatMax(a, b)
	return append(args, in(scales)), func() { scales.Release() }
}

func isDirect1x1(p engine.Conv2DParams) bool {
	return p.R == 1 && p.S == 1 && p.StrideH == 1 && p.StrideW == 1 && p.PadH == 0 && p.PadW == 0
}

// checkConvSizes panics when a tensor would overflow the shaders' 32-bit
// indices.
func checkConvSizes(op string, p engine.Conv2DParams) {
	for _, n := range []int{p.N * p.C * p.H * p.W, p.N * p.K * p.OutH() * p.OutW(), p.K * p.C * p.R * p.S, convDataCols(p)} {
		if uint64(n) >= 1<<31 {
			panic(fmt.Sprintf("engine: %s: %v has a tensor of %d elements, beyond the shaders' 2^31 indices", op, p, n))
		}
	}
}

// checkConv checks a pass's operands: img (x or dx), act (y or dy) and
// filt (w or dw), named by names; it reports whether the activations are
// float16 (engine.CheckConv2DOperands).
func (o *Ops) checkConv(op string, p engine.Conv2DParams, names [3]string, img, act, filt *engine.Tensor) (f16 bool) {
	p.Validate(op)
	engine.CheckBackend(op, o.Owner, img, act, filt)
	dt := engine.CheckConv2DOperands(op, p, names, img, act, filt)
	checkConvSizes(op, p)
	return dt == engine.Float16
}

// Conv2DForward: x (N,C,H,W) * w (K,C,R,S) -> y (N,K,P,Q).
func (o *Ops) Conv2DForward(y, x, w *engine.Tensor, p engine.Conv2DParams) {
	f16 := o.checkConv("Conv2DForward", p, [3]string{"x", "y", "w"}, x, y, w)
	o.conv2dForward(y, x, w, p, o.convTileFor("forward", p, f16, y, func(t convTile) { o.conv2dForward(y, x, w, p, t) }))
}

func (o *Ops) conv2dForward(y, x, w *engine.Tensor, p engine.Conv2DParams, t convTile) {
	if t.winograd != 0 {
		o.conv2dWinograd(y, x, w, p, false, t.winograd)
		return
	}
	P, Q := p.OutH(), p.OutW()
	args, done := o.convArgs(t, []arg{out(y), in(x), in(w)}, w, x)
	o.RT.Dispatch(kernel{
		Shader: t.shader("forward"),
		Spec:   t.spec(isDirect1x1(p)),
		Push:   newPushConv(p, 0),
		Groups: [3]int{vkrt.CeilDiv(p.N*P*Q, t.cols()), vkrt.CeilDiv(p.K, t.rows()), 1},
		Args:   args,
	})
	done()
}

// Conv2DBackwardData: dy (N,K,P,Q), w -> dx (N,C,H,W), overwritten.
func (o *Ops) Conv2DBackwardData(dx, dy, w *engine.Tensor, p engine.Conv2DParams) {
	f16 := o.checkConv("Conv2DBackwardData", p, [3]string{"dx", "dy", "w"}, dx, dy, w)
	o.conv2dBackwardData(dx, dy, w, p, o.convTileFor("backward_data", p, f16, dx, func(t convTile) { o.conv2dBackwardData(dx, dy, w, p, t) }))
}

func (o *Ops) conv2dBackwardData(dx, dy, w *engine.Tensor, p engine.Conv2DParams, t convTile) {
	if t.winograd != 0 {
		o.conv2dWinograd(dx, dy, w, engine.WinogradDataParams(p), true, t.winograd)
		return
	}
	classes := p.StrideH * p.StrideW
	if t.tiled && classes > int(o.Limit.MaxComputeWorkGroupCount[2]) {
		rb := o.convRegblock(p.C, t.f16) // one workgroup row per stride class would not fit the grid
		t = rb
	}
	// The register-blocked kernel's columns: every stride class padded to
	// the largest; the tiled kernel's: one class (the largest) per
	// workgroup z.
	cols, z := convDataCols(p), 1
	if t.tiled {
		cols, z = p.N*vkrt.CeilDiv(p.H, p.StrideH)*vkrt.CeilDiv(p.W, p.StrideW), classes
	}
	args, done := o.convArgs(t, []arg{out(dx), in(dy), in(w)}, w, dy)
	o.RT.Dispatch(kernel{
		Shader: t.shader("backward_data"),
		Spec:   t.spec(isDirect1x1(p)),
		Push:   newPushConv(p, 0),
		Groups: [3]int{vkrt.CeilDiv(cols, t.cols()), vkrt.CeilDiv(p.C, t.rows()), z},
		Args:   args,
	})
	done()
}

// convDataCols is the number of GEMM columns of conv2d_backward_data: the
// input pixels grouped by stride class, each class padded to
// ceil(H/stride_h) x ceil(W/stride_w).
func convDataCols(p engine.Conv2DParams) int {
	return p.StrideH * p.StrideW * p.N * vkrt.CeilDiv(p.H, p.StrideH) * vkrt.CeilDiv(p.W, p.StrideW)
}

// convFilterSplit returns the number of reduction chunks and the pixels per
// chunk for a filter gradient whose output needs groups workgroups: enough
// chunks to give the device about target workgroups, each at least
// minChunk pixels, the partials within maxPartial floats.
func convFilterSplit(total, groups, outN, target int) (chunks, chunk int) {
	const minChunk, maxPartial = 64, 1 << 24
	chunks = 1
	if groups < target {
		chunks = vkrt.CeilDiv(target, groups)
	}
	chunks = min(chunks, max(1, total/minChunk), max(1, maxPartial/outN))
	chunk = vkrt.CeilDiv(total, chunks)
	return vkrt.CeilDiv(total, chunk), chunk
}

// convFilterTarget is the number of workgroups a filter gradient's
// reduction chunks aim at: 2*fillGroups on GPUs, 32 on CPU devices,
// scaled by 2^split.
func (o *Ops) convFilterTarget(split int) int {
	target := 2 * vkrt.FillGroups(o.Info)
	if o.Info.Type == "cpu" {
		target = 32
	}
	if split < 0 {
		return max(1, target>>-split)
	}
	return target << split
}

// convFilterChunks is the split of a filter gradient's reduction over the
// N*P*Q output pixels for kernel t: the number of chunks (workgroups in z)
// and the pixels per chunk.
func (o *Ops) convFilterChunks(p engine.Conv2DParams, t convTile) (chunks, chunk int) {
	total := p.N * p.OutH() * p.OutW()
	crs := p.C * p.R * p.S
	gx, gy := vkrt.CeilDiv(crs, t.cols()), vkrt.CeilDiv(p.K, t.rows())
	chunks, chunk = convFilterSplit(total, gx*gy, p.K*crs, o.convFilterTarget(t.split))
	chunks = min(chunks, int(o.Limit.MaxComputeWorkGroupCount[2]))
	chunk = vkrt.CeilDiv(total, chunks)
	if t.tiled && chunks > 1 { // whole BK-pixel tiles in every chunk but the last
		chunk = vkrt.CeilDiv(chunk, t.bk) * t.bk
	}
	return vkrt.CeilDiv(total, chunk), chunk
}

// Conv2DBackwardFilter: dy, x -> dw (K,C,R,S), overwritten.
func (o *Ops) Conv2DBackwardFilter(dw, dy, x *engine.Tensor, p engine.Conv2DParams) {
	f16 := o.checkConv("Conv2DBackwardFilter", p, [3]string{"x", "dy", "dw"}, x, dy, dw)
	o.conv2dBackwardFilter(dw, dy, x, p, o.convTileFor("backward_filter", p, f16, dw, func(t convTile) { o.conv2dBackwardFilter(dw, dy, x, p, t) }))
}

func (o *Ops) conv2dBackwardFilter(dw, dy, x *engine.Tensor, p engine.Conv2DParams, t convTile) {
	if t.winograd != 0 {
		o.conv2dBackwardFilterWinograd(dw, dy, x, p, t.winograd)
		return
	}
	crs := p.C * p.R * p.S
	gx, gy := vkrt.CeilDiv(crs, t.cols()), vkrt.CeilDiv(p.K, t.rows())
	chunks, chunk := o.convFilterChunks(p, t)
	dst := dw
	if chunks > 1 {
		dst = o.RT.New(chunks, p.K*crs)
	}
	args, done := o.convArgs(t, []arg{out(dst), in(dy), in(x)}, dy, x)
	o.RT.Dispatch(kernel{
		Shader: t.shader("backward_filter"),
		Spec:   t.spec(isDirect1x1(p)),
		Push:   newPushConv(p, chunk),
		Groups: [3]int{gx, gy, chunks},
		Args:   args,
	})
	done()
	if chunks > 1 {
		o.cfg.Elt.SumCols(dw, dst, chunks, p.K*crs)
		dst.Release()
	}
}

// TiledKernels are the names of the float32 tiled variants that fit this
// device (values of Config.Variant), for tests that force each.
func (o *Ops) TiledKernels() []string { return o.fitting(convTiledVariants) }

// fitting are the names of the tiles that fit this device.
func (o *Ops) fitting(tiles []convTile) []string {
	var names []string
	for _, t := range tiles {
		if o.fits(t) {
			names = append(names, t.name())
		}
	}
	return names
}
