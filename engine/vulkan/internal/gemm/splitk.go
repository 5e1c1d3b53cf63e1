package gemm

import (
	"strings"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
	"simclr-vk/shaders"
)

// Split-K GEMM (kernels splitk_64x64 and splitk_32x32): for products with a
// small C and a long reduction (m, n <= 256, k >= 8192: weight gradients)
// the plain kernels run too few workgroups to fill a GPU. Here workgroup z
// of gemm_tiled_<tile>_splitk reduces the K slice [z*kchunk, (z+1)*kchunk)
// into slice z of a scratch buffer P (slices*m*n floats), then
// gemm_splitk_reduce adds the slices in order 0, 1, ... and applies alpha
// and beta. The slice count depends only on the shape and the tile, so the
// result is deterministic (bit-identical from run to run).

// pushGemmSplitK mirrors `{ uint m, n, k, kchunk, batch; }` of the SPLIT_K
// variants of gemm_tiled.comp.
type pushGemmSplitK struct {
	M, N, K, KChunk, Batch uint32
}

// pushGemmSplitKReduce mirrors `{ uint mn, slices, coff; float alpha,
// beta; }` of gemm_splitk_reduce.comp.
type pushGemmSplitKReduce struct {
	MN, Slices, COff uint32
	Alpha, Beta      float32
}

// splitKPlan returns the number of K slices and their depth (a multiple of
// the tile's BK = 16) for a tile of bm x bn: enough slices for about 256
// workgroups, each slice at least 512 deep, at least 2 and at most 64
// slices (and never more slices than k needs).
func splitKPlan(m, n, k, bm, bn int) (slices, kchunk int) {
	const bk = 16
	tiles := vkrt.CeilDiv(m, bm) * vkrt.CeilDiv(n, bn)
	slices = max(2, min(vkrt.CeilDiv(256, tiles), vkrt.CeilDiv(k, 512), 64))
	kchunk = vkrt.CeilDiv(vkrt.CeilDiv(k, slices), bk) * bk
	slices = vkrt.CeilDiv(k, kchunk) // drop empty trailing slices
	return slices, kchunk
}

// splitK records the two passes for each batch entry. P is scratch
// from RT.New, released once the reduce pass that reads it is recorded.
func (o *Ops) splitK(name string, transA, transB bool, batch, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	shader := "gemm_tiled_" + strings.TrimPrefix(name, "splitk_") + "_splitk"
	tile := shaders.MustVariant("gemm_tiled", strings.TrimPrefix(shader, "gemm_tiled_"))
	slices, kchunk := splitKPlan(m, n, k, tile.BM, tile.BN)
	p := o.RT.New(slices * m * n)
	defer p.Release()
	if o.RT.Err() != nil {
		return
	}
	for e := 0; e < batch; e++ {
		o.RT.Dispatch(vkrt.Kernel{
			Shader: shader,
			Spec:   []uint32{b2u(transA), b2u(transB)},
			Push:   &pushGemmSplitK{uint32(m), uint32(n), uint32(k), uint32(kchunk), uint32(e)},
			Groups: [3]int{vkrt.CeilDiv(n, tile.BN), vkrt.CeilDiv(m, tile.BM), slices},
			Args:   []vkrt.Arg{vkrt.Out(p), vkrt.In(a), vkrt.In(b)},
		})
		o.RT.Dispatch(vkrt.Kernel{
			Shader: "gemm_splitk_reduce",
			Push:   &pushGemmSplitKReduce{uint32(m * n), uint32(slices), uint32(e * m * n), alpha, beta},
			Groups: o.RT.Grid1D(m*n, 256),
			Args:   []vkrt.Arg{vkrt.InOut(c), vkrt.In(p)},
		})
	}
}
