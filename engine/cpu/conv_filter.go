package cpu

import "simclr-vk/engine"

// convFilterShifted is Conv2DBackwardFilter for "same" stride-1
// convolutions (sameStride1, not direct1x1) with OpenBLAS, without im2col:
// for filter tap (r, s) the im2col row of channel c is plane c shifted by
// (r-PadH)*W + s-PadW, so dw[:, :, r, s] (K, C) = dy_s (K, HW) times the
// shifted planes (C, HW, row stride HW) transposed, one GEMM over the
// positions where the shift stays inside the plane; dy_s is dy with the
// output columns whose input column would wrap around a row edge zeroed
// (one copy per filter column s). That moves K*S planes per image instead
// of writing C*R*S (docs/performance.md, P14). Per-chunk
// partial sums are added in chunk order as in Conv2DBackwardFilter:
// deterministic for a thread count.
// shiftedFilterPays reports a convolution whose filter gradient runs as
// convFilterShifted: "same" stride-1, not direct1x1, at least 8 input
// channels (with fewer the GEMMs are too narrow: the stems ran at 0.6-0.9x
// of im2col) and few output channels or small planes, where an im2col value
// feeds few multiply-adds (ResNet-18 w16 layer1 ran at 1.5x, layer4 1.4x;
// w64 layer1, 64 channels of 32x32, at 0.9x; docs/performance.md, P14).
func shiftedFilterPays(p engine.Conv2DParams) bool {
	return sameStride1(p) && !direct1x1(p) && p.C >= 8 && (p.K <= 32 || p.H*p.W <= 64)
}

func (be *Backend) convFilterShifted(dwd, dyd, xd []float32, p engine.Conv2DParams) {
	K, C, RS, HW, Q := p.K, p.C, p.R*p.S, p.H*p.W, p.OutW()
	kc := K * C
	var rbuf [16][2]int
	ranges := columnRanges(&rbuf, p)
	chunks := min(4*be.threads, max(be.threads, (1<<24)/(kc*RS)))
	partial := make([][]float32, min(chunks, p.N))
	workers := be.overImages(p.N, chunks, func(wk, lo, hi, _ int) {
		acc := getScratch(RS * kc) // (R*S, K, C)
		clear(acc)
		partial[wk] = acc
		dyv := getScratch(p.S * K * HW)
		defer putScratch(dyv)
		for n := lo; n < hi; n++ {
			dyn, xn := dyd[n*K*HW:(n+1)*K*HW], xd[n*C*HW:(n+1)*C*HW]
			for s := 0; s < p.S; s++ {
				v := dyv[s*K*HW : (s+1)*K*HW]
				copy(v, dyn)
				clearEdgeColumns(v, K*p.OutH(), Q, ranges[s][0], ranges[s][1])
			}
			for r := 0; r < p.R; r++ {
				for s := 0; s < p.S; s++ {
					shift := (r-p.PadH)*p.W + s - p.PadW
					l0, l1 := max(0, -shift), min(HW, HW-shift)
					if l1 <= l0 {
						continue
					}
					blasSgemm(false, true, K, C, l1-l0, 1, dyv[s*K*HW+l0:], HW, xn[l0+shift:], HW, 1, acc[(r*p.S+s)*kc:], C)
				}
			}
		}
	})
	sum := partial[0]
	for wk := 1; wk < workers; wk++ {
		Add(sum, sum, partial[wk])
		putScratch(partial[wk])
	}
	for rs := 0; rs < RS; rs++ {
		for k := 0; k < K; k++ {
			for c := 0; c < C; c++ {
				dwd[(k*C+c)*RS+rs] = sum[(rs*K+k)*C+c]
			}
		}
	}
	putScratch(sum)
}
