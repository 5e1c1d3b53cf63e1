package ntxent

import (
	"fmt"
	"slices"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// pushNTXent mirrors `{ uint rows, d, nHalf, chunk, parts, part0; float invTau, scale; }`
// of every ntxent_*.comp.
type pushNTXent struct {
	Rows, D, NHalf, Chunk, Parts, Part0 uint32
	InvTau, Scale                       float32
}

// Kernels are the fused kernel families, best first where they apply
// (Options.Kernel forces one).
var Kernels = []string{"gemm", "tiled", "regblock"}

// Shaders is the family's kernel table: each shader with its push-constant
// struct (package vulkan's TestPushConstants checks them against the GLSL;
// the GEMM-core shaders are built as several .spv variants).
var Shaders = map[string]any{
	"ntxent_forward": pushNTXent{}, "ntxent_loss": pushNTXent{}, "ntxent_backward": pushNTXent{},
	"ntxent_backward_finish": pushNTXent{}, "ntxent_forward_unfused": pushNTXent{}, "ntxent_backward_unfused": pushNTXent{},
	"ntxent_forward_tiled": pushNTXent{}, "ntxent_backward_tiled": pushNTXent{},
	"ntxent_forward_gemm": pushNTXent{}, "ntxent_backward_gemm": pushNTXent{},
}

// GemmFunc records c = alpha op(a) op(b) + beta c (the facade's
// Device.Gemm), for the unfused composition.
type GemmFunc func(transA, transB bool, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor)

// Options configure the family at open.
type Options struct {
	// Kernel forces the kernel family (vulkan.Options.NTXentKernel, one
	// of Kernels, already validated), "" picks by device.
	Kernel string
	// Gemm is the matrix product of the unfused composition (Unfused).
	Gemm GemmFunc

	// editPlan, when set (this package's tests), edits every plan of the
	// fused kernels; unexported so that it is no API.
	editPlan func(*ntxentPlan)
}

// Ops records the family's kernels on one runtime Device.
type Ops struct {
	vkrt.Family
	opts Options
}

// New returns the family's ops on rt.
func New(rt *vkrt.Device, opts Options) *Ops { return &Ops{rt.Family(), opts} }

// plan picks the configuration for rows x dim on this device with the
// kernel family kernel (see planNTXent); Options.editPlan may adjust it.
func (o *Ops) plan(op, kernel string, rows, dim int) ntxentPlan {
	pl := planNTXent(op, o.Info.Type == "cpu", vkrt.LoopBudget(o.Info), o.maxInv(),
		int(o.Limit.MaxComputeSharedMemorySize), rows, dim, kernel)
	if o.opts.editPlan != nil {
		o.opts.editPlan(&pl)
	}
	return pl
}

// maxInv is the largest 1-D workgroup this device runs: the smaller of
// maxComputeWorkGroupInvocations and maxComputeWorkGroupSize[0].
func (o *Ops) maxInv() int {
	return int(min(o.Limit.MaxComputeWorkGroupInvocations, o.Limit.MaxComputeWorkGroupSize[0]))
}

// scratchBytes is the device memory ForwardBackward allocates beyond z,
// dz and out for a (rows, dim) z (before the allocator's alignment), with or
// without the gradient.
func (o *Ops) scratchBytes(rows, dim int, backward bool) int64 {
	return o.plan("scratchBytes", o.opts.Kernel, rows, dim).extraBytes(rows, dim, backward)
}

// checkNTXent validates the NT-Xent tensors and returns (rows, d).
func checkNTXent(op string, o *Ops, dz, out, z *engine.Tensor, tau float32) (int, int) {
	engine.CheckBackend(op, o.Owner, dz, out, z)
	rows, dim := engine.CheckNTXent(op, dz, out, z, tau)
	if uint64(rows)*uint64(max(dim, 4)) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: z %v exceeds 2^32 elements (32-bit shader indices)", op, z.Shape()))
	}
	return rows, dim
}

// ForwardBackward is engine.Backend's NTXentForwardBackward: res (2) =
// [loss, top1]; dz = dloss/dz unless nil.
func (o *Ops) ForwardBackward(dz, res, z *engine.Tensor, tau float32) {
	o.forwardBackward("NTXentForwardBackward", o.opts.Kernel, dz, res, z, tau)
}

// forwardBackward is ForwardBackward with the kernel family kernel (""
// for the device's choice).
func (o *Ops) forwardBackward(op, kernel string, dz, res, z *engine.Tensor, tau float32) {
	rows, dim := checkNTXent(op, o, dz, res, z, tau)
	pl := o.plan(op, kernel, rows, dim)
	rt := o.RT
	rowGroups := vkrt.CeilDiv(rows, pl.rowsPerGroup())
	if rowGroups > int(o.Limit.MaxComputeWorkGroupCount[0]) || max(pl.parts, pl.gparts) > int(o.Limit.MaxComputeWorkGroupCount[1]) {
		panic(fmt.Sprintf("engine: %s: %d rows need %d x %d workgroups, above maxComputeWorkGroupCount %v", op, rows, rowGroups, max(pl.parts, pl.gparts), o.Limit.MaxComputeWorkGroupCount))
	}
	push := pushNTXent{Rows: uint32(rows), D: uint32(dim), NHalf: uint32(rows / 2), Chunk: uint32(pl.chunk),
		Parts: uint32(pl.parts), InvTau: 1 / tau, Scale: float32(1 / (float64(rows) * float64(tau)))}

	part, lse := rt.New(pl.parts*rows*4), rt.New(rows)
	vec4 := dim%4 == 0
	shader, spec := pl.forward(vec4)
	rt.Dispatch(vkrt.Kernel{Shader: shader, Spec: spec, Push: &push,
		Groups: [3]int{rowGroups, pl.parts, 1}, Args: []vkrt.Arg{vkrt.Out(part), vkrt.In(z)}})
	rt.Dispatch(vkrt.Kernel{Shader: "ntxent_loss", Spec: []uint32{uint32(pl.lossLocal)}, Push: &push,
		Groups: [3]int{1, 1, 1}, Args: []vkrt.Arg{vkrt.Out(res), vkrt.Out(lse), vkrt.In(part)}})
	part.Release()
	if dz != nil {
		g := push
		g.Chunk, g.Parts = uint32(pl.gchunk), uint32(pl.gparts)
		switch {
		case pl.gparts == 1 || pl.gseq:
			shader, spec := pl.backward(true, vec4)
			for q := 0; q < pl.gparts; q++ {
				gq := g
				gq.Part0 = uint32(q)
				rt.Dispatch(vkrt.Kernel{Shader: shader, Spec: spec, Push: &gq,
					Groups: [3]int{rowGroups, 1, 1}, Args: []vkrt.Arg{vkrt.InOut(dz), vkrt.In(z), vkrt.In(lse)}})
			}
			rt.Dispatch(vkrt.Kernel{Shader: "ntxent_backward_finish", Spec: []uint32{1}, Push: &g,
				Groups: rt.Grid1D(rows*dim, 256), Args: []vkrt.Arg{vkrt.InOut(dz), vkrt.In(z), vkrt.In(z)}})
		default:
			shader, spec := pl.backward(false, vec4)
			gpart := rt.New(pl.gparts * rows * dim)
			rt.Dispatch(vkrt.Kernel{Shader: shader, Spec: spec, Push: &g,
				Groups: [3]int{rowGroups, pl.gparts, 1}, Args: []vkrt.Arg{vkrt.Out(gpart), vkrt.In(z), vkrt.In(lse)}})
			rt.Dispatch(vkrt.Kernel{Shader: "ntxent_backward_finish", Spec: []uint32{0}, Push: &g,
				Groups: rt.Grid1D(rows*dim, 256), Args: []vkrt.Arg{vkrt.Out(dz), vkrt.In(gpart), vkrt.In(z)}})
			gpart.Release()
		}
	}
	lse.Release()
}

// Kernel returns the kernel family ForwardBackward runs for a (rows,
// dim) z on this device with kernel forced ("" as Options.Kernel: the
// device's choice).
func (o *Ops) Kernel(kernel string, rows, dim int) string {
	checkKernel("NTXentKernel", kernel)
	return planNTXent("NTXentKernel", o.Info.Type == "cpu", vkrt.LoopBudget(o.Info), o.maxInv(),
		int(o.Limit.MaxComputeSharedMemorySize), rows, dim, kernel).family()
}

// checkKernel panics on a kernel family that is not "" or one of Kernels.
func checkKernel(op, kernel string) {
	if kernel != "" && !slices.Contains(Kernels, kernel) {
		panic(fmt.Sprintf("engine: %s: unknown kernel family %q (want one of %v)", op, kernel, Kernels))
	}
}

// ForwardBackwardKernel is ForwardBackward with the kernel family forced
// for this call, as Options.Kernel does (benchmarks compare the families
// on one device).
func (o *Ops) ForwardBackwardKernel(kernel string, dz, res, z *engine.Tensor, tau float32) {
	checkKernel("NTXentForwardBackwardKernel", kernel)
	o.forwardBackward("NTXentForwardBackward", kernel, dz, res, z, tau)
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
