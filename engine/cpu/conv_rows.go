package cpu

import "simclr-vk/engine"

// Convolution in blocks of output rows: with OpenBLAS and one thread per
// image, the im2col matrix of an image is built and multiplied a block of
// about rowBlockCols output positions at a time (whole output rows) into
// one reused buffer, instead of whole (C*R*S, P*Q) matrices of up to
// several MiB that stream through the caches between im2col and the GEMM's
// packing. Forward and stride-1 backward data only: each output is still
// one dot product over C*R*S, as in the whole-image GEMM. The filter
// gradient keeps whole images: blocks brought it nothing measurable
// (docs/performance.md, P14).

// rowBlockCols is the target number of im2col columns per block.
const rowBlockCols = 192

// convRowBlock returns the output rows per block of p, or 0 when p runs
// whole (a single block, or x is its own im2col matrix).
func convRowBlock(p engine.Conv2DParams) int {
	P, Q := p.OutH(), p.OutW()
	rb := max(1, (rowBlockCols+Q-1)/Q)
	if rb >= P || direct1x1(p) {
		return 0
	}
	return rb
}

// im2colRows fills col (C*R*S, (oh1-oh0)*Q) from one image x (C, H, W)
// with the im2col columns of output rows [oh0, oh1): im2col's values for
// those columns.
func im2colRows(col, x []float32, p engine.Conv2DParams, oh0, oh1 int) {
	Q, HW := p.OutW(), p.H*p.W
	nb := (oh1 - oh0) * Q
	var rbuf [16][2]int
	ranges := columnRanges(&rbuf, p)
	same := sameStride1(p)
	row := 0
	for c := 0; c < p.C; c++ {
		plane := x[c*HW : (c+1)*HW]
		for r := 0; r < p.R; r++ {
			for s := 0; s < p.S; s++ {
				dst := col[row*nb : (row+1)*nb]
				row++
				owLo, owHi := ranges[s][0], ranges[s][1]
				if same {
					// Entry i of the block is plane entry
					// oh0*Q + i + shift when inside the plane.
					shift := (r-p.PadH)*p.W + s - p.PadW + oh0*Q
					lo := min(max(0, -shift), nb)
					hi := max(lo, min(nb, HW-shift))
					clear(dst[:lo])
					if hi > lo {
						copy(dst[lo:hi], plane[lo+shift:hi+shift])
					}
					clear(dst[hi:])
					clearEdgeColumns(dst, oh1-oh0, Q, owLo, owHi)
					continue
				}
				im2colTapRows(dst, plane, p, r, s, owLo, owHi, oh0, oh1)
			}
		}
	}
}

// im2colTapRows fills dst ((oh1-oh0)*Q) with output rows [oh0, oh1) of
// the im2col row of filter tap (r, s) over plane (H, W), whose output
// columns [owLo, owHi) lie inside the image: the general (strided or
// unpadded) case of im2colRows.
func im2colTapRows(dst, plane []float32, p engine.Conv2DParams, r, s, owLo, owHi, oh0, oh1 int) {
	Q, ih0, off := p.OutW(), r-p.PadH, s-p.PadW
	for oh := oh0; oh < oh1; oh++ {
		d := dst[(oh-oh0)*Q : (oh-oh0+1)*Q]
		ih := oh*p.StrideH + ih0
		if ih < 0 || ih >= p.H || owLo >= owHi {
			clear(d)
			continue
		}
		xr := plane[ih*p.W : (ih+1)*p.W]
		clear(d[:owLo])
		clear(d[owHi:])
		if p.StrideW == 1 {
			copy(d[owLo:owHi], xr[owLo+off:owHi+off])
			continue
		}
		gatherStrided(d[owLo:owHi], xr[owLo*p.StrideW+off:], p.StrideW)
	}
}

// convForwardRows computes y (K, P*Q) = w (K, C*R*S) * im2col(x) for one
// image x (C, H, W) in row blocks of rb output rows on the calling thread
// (OpenBLAS), col a scratch buffer of C*R*S*rb*Q values.
func convForwardRows(yn, xn, wd, col []float32, p engine.Conv2DParams, rb int) {
	P, Q := p.OutH(), p.OutW()
	crs, pq := p.C*p.R*p.S, P*Q
	for oh0 := 0; oh0 < P; oh0 += rb {
		oh1 := min(P, oh0+rb)
		nb := (oh1 - oh0) * Q
		im2colRows(col, xn, p, oh0, oh1)
		blasSgemm(false, false, p.K, nb, crs, 1, wd, crs, col, nb, 0, yn[oh0*Q:], pq)
	}
}
