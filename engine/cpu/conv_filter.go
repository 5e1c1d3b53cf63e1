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
// of writing C*R*S (docs/performance.md, P15). Per-chunk
// partial sums are added in chunk order as in Conv2DBackwardFilter:
// deterministic for a thread count.
// shiftedFilterPays reports a convolution whose filter gradient runs as
// convFilterShifted: "same" stride-1, not direct1x1, at least 8 input
// channels (with fewer the GEMMs are too narrow: the stems measured slower
// than im2col) and few output channels or small planes, where an im2col
// value feeds few multiply-adds (wide layers on large planes measured
// slower too; the figures of each layer are in docs/performance.md, P15).
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
			eachShiftedTap(p, func(rs, s, shift, l0, l1 int) {
				blasSgemm(false, true, K, C, l1-l0, 1, dyv[s*K*HW+l0:], HW, xn[l0+shift:], HW, 1, acc[rs*kc:], C)
			})
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

// shiftedForwardPays reports a convolution whose forward runs as
// convForwardShifted: a shiftedFilterPays one with 32+ input channels (16
// make the per-tap GEMMs too shallow) and an output of at most 8192 values
// per image (the deep layers of wide models, 256-512 channels, measured
// slower; the figures of each layer are in docs/performance.md, P16).
func shiftedForwardPays(p engine.Conv2DParams) bool {
	return shiftedFilterPays(p) && p.C >= 32 && p.K <= 128 && p.K*p.H*p.W <= 8192
}

// convForwardShifted computes y (K, HW) of one image x (C, HW) for a
// shiftedForwardPays convolution as one GEMM per filter tap on shifted
// planes, wrs the filter as (R*S, K, C) and xs scratch of S*C*HW values
// (x once per filter column with the columns only wrapped reads reach
// zeroed).
func convForwardShifted(yn, xn, wrs, xs []float32, p engine.Conv2DParams) {
	K, C, HW := p.K, p.C, p.H*p.W
	var rbuf [16][2]int
	ranges := columnRanges(&rbuf, p)
	for s := 0; s < p.S; s++ {
		v := xs[s*C*HW : (s+1)*C*HW]
		copy(v, xn)
		off := s - p.PadW
		clearEdgeColumns(v, C*p.H, p.W, min(p.W, max(0, ranges[s][0]+off)), min(p.W, max(0, ranges[s][1]+off)))
	}
	clear(yn)
	eachShiftedTap(p, func(rs, s, shift, l0, l1 int) {
		blasSgemm(false, false, K, l1-l0, C, 1, wrs[rs*K*C:], C, xs[s*C*HW+l0+shift:], HW, 1, yn[l0:], HW)
	})
}

// convForwardShiftedAll is the forward convolution y = conv(x, w) of a
// shiftedForwardPays p over its images (convForwardShifted each), images
// taken in turn by goroutines.
func (be *Backend) convForwardShiftedAll(yd, xd, wd []float32, p engine.Conv2DParams) {
	RS, hw := p.R*p.S, p.H*p.W
	wrs := getScratch(len(wd)) // (R*S, K, C); every entry is written
	defer putScratch(wrs)
	for k := 0; k < p.K; k++ {
		for c := 0; c < p.C; c++ {
			for rs := 0; rs < RS; rs++ {
				wrs[(rs*p.K+k)*p.C+c] = wd[(k*p.C+c)*RS+rs]
			}
		}
	}
	be.overImages(p.N, p.N, func(_, lo, hi, _ int) {
		xs := getScratch(p.S * p.C * hw)
		defer putScratch(xs)
		for n := lo; n < hi; n++ {
			convForwardShifted(yd[n*p.K*hw:(n+1)*p.K*hw], xd[n*p.C*hw:(n+1)*p.C*hw], wrs, xs, p)
		}
	})
}

// eachShiftedTap calls f for every filter tap rs = r*S+s of a "same"
// stride-1 p whose shifted plane overlaps the plane: plane entry i+shift
// feeds output i for i in [l0, l1).
func eachShiftedTap(p engine.Conv2DParams, f func(rs, s, shift, l0, l1 int)) {
	HW := p.H * p.W
	for r := 0; r < p.R; r++ {
		for s := 0; s < p.S; s++ {
			shift := (r-p.PadH)*p.W + s - p.PadW
			if l0, l1 := max(0, -shift), min(HW, HW-shift); l1 > l0 {
				f(r*p.S+s, s, shift, l0, l1)
			}
		}
	}
}
