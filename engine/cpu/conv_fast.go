package cpu

import (
	"simclr-vk/engine"
)

// Convolution fast path: per image, im2col into a (C*R*S, P*Q) buffer and
// one GEMM (OpenBLAS or the pure-Go GEMM); stride-1 backward-data runs as a
// forward convolution with the flipped filter, other strides as GEMM +
// col2im. Images are taken in turn by goroutines (overImages), each running
// single-threaded GEMMs; with fewer images than threads the images run in
// order with multi-threaded GEMMs. A 1x1, stride-1, unpadded convolution
// uses x itself as the im2col matrix.
//
// The filter gradient sums per-chunk partials in chunk order, so it is
// deterministic for a given thread count.

// convTap is one filter tap (channel c, filter row r, column s) of an
// im2col matrix: the image plane of channel c, row (c*R+r)*S+s of the
// matrix (P*Q entries) and the output columns [owLo, owHi) whose input
// column lies inside the image. When same (sameStride1), row entry i
// stands for plane entry i+shift, inside the plane for i in [lo, hi).
type convTap struct {
	plane, row    []float32
	r, s          int
	owLo, owHi    int
	same          bool
	shift, lo, hi int
}

// eachTap calls f for every tap of p, in im2col row order, with planes from
// img (C, H, W) and rows from col (C*R*S, P*Q): col2im's walk. im2colRows
// walks the taps the same way in its own loop: it is the forward's hot
// path, and a call per tap measurably slowed it.
func eachTap(img, col []float32, p engine.Conv2DParams, f func(t *convTap)) {
	PQ, HW := p.OutH()*p.OutW(), p.H*p.W
	var rbuf [16][2]int
	ranges := columnRanges(&rbuf, p)
	t := convTap{same: sameStride1(p)}
	row := 0
	for c := 0; c < p.C; c++ {
		t.plane = img[c*HW : (c+1)*HW]
		for t.r = 0; t.r < p.R; t.r++ {
			for t.s = 0; t.s < p.S; t.s++ {
				t.row = col[row*PQ : (row+1)*PQ]
				row++
				t.owLo, t.owHi = ranges[t.s][0], ranges[t.s][1]
				if t.same {
					t.shift = (t.r-p.PadH)*p.W + t.s - p.PadW
					t.lo = min(max(0, -t.shift), PQ)
					t.hi = max(t.lo, min(PQ, HW-t.shift))
				}
				f(&t)
			}
		}
	}
}

// im2col fills col (C*R*S, P*Q) from one image x (C, H, W); row
// (c*R+r)*S+s, column p*Q+q holds x[c, p*sh-ph+r, q*sw-pw+s] or 0: the
// single row block of all P output rows (conv_rows.go).
func im2col(col, x []float32, p engine.Conv2DParams) {
	im2colRows(col, x, p, 0, p.OutH())
}

// col2im adds col (C*R*S, P*Q) into one image dx (C, H, W), the adjoint of
// im2col. dx must be zeroed first. col is used as scratch (clobbered).
func col2im(dx, col []float32, p engine.Conv2DParams) {
	P, Q := p.OutH(), p.OutW()
	eachTap(dx, col, p, func(t *convTap) {
		if t.same {
			// Clear the entries that would wrap around a row edge,
			// then one shifted add.
			clearEdgeColumns(t.row, P, Q, t.owLo, t.owHi)
			if t.hi > t.lo {
				addTo(t.plane[t.lo+t.shift:t.hi+t.shift], t.row[t.lo:t.hi])
			}
			return
		}
		dc, src, owLo, owHi, ih0, off, stride := t.plane, t.row, t.owLo, t.owHi, t.r-p.PadH, t.s-p.PadW, p.StrideW
		if owLo >= owHi {
			return
		}
		for oh := 0; oh < P; oh++ {
			ih := oh*p.StrideH + ih0
			if ih < 0 || ih >= p.H {
				continue
			}
			dr := dc[ih*p.W : (ih+1)*p.W]
			sr := src[oh*Q : (oh+1)*Q]
			if stride == 1 {
				addTo(dr[owLo+off:owHi+off], sr[owLo:owHi])
				continue
			}
			iw := owLo*stride + off
			for ow := owLo; ow < owHi; ow++ {
				dr[iw] += sr[ow]
				iw += stride
			}
		}
	})
}

// sameStride1 reports a stride-1 convolution whose output has the input's
// size, so that im2col rows are shifted copies of whole planes.
func sameStride1(p engine.Conv2DParams) bool {
	return p.StrideH == 1 && p.StrideW == 1 && p.OutH() == p.H && p.OutW() == p.W
}

// columnRanges returns validRange(Q, W, StrideW, s-PadW) for every filter
// column s (computed once per call, not once per channel and tap).
func columnRanges(buf *[16][2]int, p engine.Conv2DParams) [][2]int {
	r := buf[:0]
	if p.S > len(buf) {
		r = make([][2]int, 0, p.S)
	}
	for s := 0; s < p.S; s++ {
		lo, hi := validRange(p.OutW(), p.W, p.StrideW, s-p.PadW)
		r = append(r, [2]int{lo, hi})
	}
	return r
}

// validRange returns the output columns [lo, hi) whose input column
// ow*stride + off lies in [0, w).
func validRange(q, w, stride, off int) (lo, hi int) {
	lo = 0
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	hi = 0
	if w-1-off >= 0 {
		hi = (w-1-off)/stride + 1
	}
	lo, hi = min(lo, q), min(hi, q)
	return lo, max(lo, hi)
}

// clearEdgeColumns zeroes columns outside [lo, hi) of a (rows, q) block.
func clearEdgeColumns(d []float32, rows, q, lo, hi int) {
	if lo == 0 && hi == q {
		return
	}
	// Column by column with a stride: these runs are 1-3 elements per row,
	// too short for clear or a per-row slice.
	n := rows * q
	d = d[:n]
	for j := 0; j < lo; j++ {
		for i := j; i < n; i += q {
			d[i] = 0
		}
	}
	for j := hi; j < q; j++ {
		for i := j; i < n; i += q {
			d[i] = 0
		}
	}
}

// gatherStrided sets d[i] = src[i*stride] (the strided rows of im2col);
// stride 2, the ResNet downsampling layers, has its own loop.
func gatherStrided(d, src []float32, stride int) {
	if len(d) == 0 {
		return
	}
	src = src[:(len(d)-1)*stride+1]
	if stride == 2 {
		for i := range d {
			d[i] = src[2*i]
		}
		return
	}
	for i := range d {
		d[i] = src[i*stride]
	}
}

// addTo sets d[i] += s[i].
func addTo(d, s []float32) {
	s = s[:len(d)]
	for i, v := range s {
		d[i] += v
	}
}

// colScratch returns an im2col buffer for one image of p from the scratch
// pools (putScratch it), or nil when x is its own im2col matrix.
func colScratch(p engine.Conv2DParams) []float32 {
	if direct1x1(p) {
		return nil
	}
	return getScratch(p.C * p.R * p.S * p.OutH() * p.OutW())
}

// imageCols returns the im2col matrix of image n of xd: im2col into col,
// or image n itself when col is nil (direct1x1).
func imageCols(col, xd []float32, n int, p engine.Conv2DParams) []float32 {
	chw := p.C * p.H * p.W
	xn := xd[n*chw : (n+1)*chw]
	if col == nil {
		return xn
	}
	im2col(col, xn, p)
	return col
}

// direct1x1 reports whether x is its own im2col matrix.
func direct1x1(p engine.Conv2DParams) bool {
	return p.R == 1 && p.S == 1 && p.StrideH == 1 && p.StrideW == 1 && p.PadH == 0 && p.PadW == 0
}

// checkConv validates p and checks that op's tensors are this backend's
// and of p's sizes: img (x or dx, N*C*H*W), out (y or dy, N*K*P*Q) and filt
// (w or dw, K*C*R*S), named by names in that order; img and out may be
// float16 together (engine.CheckConv2DOperands).
func checkConv(be *Backend, op string, p engine.Conv2DParams, img, out, filt *engine.Tensor, names [3]string) {
	p.Validate(op)
	engine.CheckBackend(op, be, img, out, filt)
	engine.CheckConv2DOperands(op, p, names, img, out, filt) // float16 activations: engine/conv_float16.go
}

// overImages runs fn(chunk, lo, hi, gemmThreads) over the N images split
// into at most chunks contiguous chunks (chunk boundaries c*N/chunks),
// which goroutines take in turn (parallelBlocks), each chunk with
// single-threaded GEMMs. With fewer images than threads, one chunk of all
// images runs with every thread per GEMM. Returns the number of chunks.
func (be *Backend) overImages(N, chunks int, fn func(chunk, lo, hi, gemmThreads int)) int {
	if N < be.threads || be.threads == 1 {
		fn(0, 0, N, be.threads)
		return 1
	}
	chunks = min(max(chunks, 1), N)
	parallelBlocks(be.threads, chunks, func(c int) {
		fn(c, c*N/chunks, (c+1)*N/chunks, 1)
	})
	return chunks
}

func (be *Backend) Conv2DForward(y, x, w *engine.Tensor, p engine.Conv2DParams) {
	checkConv(be, "Conv2DForward", p, x, y, w, [3]string{"x", "y", "w"})
	defer be.roundOut16(y) // float16 y: the float32 pass, then rounded once (float16linear.go)
	if be.convOneDNN(convForward, y, x, w, p) {
		return
	}
	be.convForwardBuiltin(overwrite(y), data(x), data(w), p)
}

// convForwardBuiltin is the builtin forward convolution of p, yd = conv(xd,
// wd): on shifted planes where that pays (OpenBLAS), else per image in
// row blocks (OpenBLAS, one thread per image) or as one im2col + GEMM.
// The stride-1 backward data runs through it too.
func (be *Backend) convForwardBuiltin(yd, xd, wd []float32, p engine.Conv2DParams) {
	if shiftedForwardPays(p) && be.UsesBLAS() {
		be.convForwardShiftedAll(yd, xd, wd, p)
		return
	}
	crs, pq, chw := p.C*p.R*p.S, p.OutH()*p.OutW(), p.C*p.H*p.W
	rb := convRowBlock(p)
	be.overImages(p.N, p.N, func(_, lo, hi, th int) {
		if rb > 0 && th == 1 && be.UsesBLAS() {
			col := getScratch(crs * rb * p.OutW())
			defer putScratch(col)
			for n := lo; n < hi; n++ {
				convForwardRows(yd[n*p.K*pq:(n+1)*p.K*pq], xd[n*chw:(n+1)*chw], wd, col, p, rb)
			}
			return
		}
		col := colScratch(p)
		defer putScratch(col)
		for n := lo; n < hi; n++ {
			be.gemm(th, false, false, p.K, pq, crs, 1, wd, imageCols(col, xd, n, p), 0, yd[n*p.K*pq:(n+1)*p.K*pq])
		}
	})
}

func (be *Backend) Conv2DBackwardData(dx, dy, w *engine.Tensor, p engine.Conv2DParams) {
	checkConv(be, "Conv2DBackwardData", p, dx, dy, w, [3]string{"dx", "dy", "w"})
	defer be.roundOut16(dx) // float16 dx: likewise; dw is always float32
	if be.convOneDNN(convBackwardData, dx, dy, w, p) {
		return
	}
	dxd, dyd, wd := overwrite(dx), data(dy), data(w)
	crs, pq, chw := p.C*p.R*p.S, p.OutH()*p.OutW(), p.C*p.H*p.W
	if p.StrideH == 1 && p.StrideW == 1 && p.PadH < p.R && p.PadW < p.S && !direct1x1(p) {
		be.convBackwardDataStride1(dxd, dyd, wd, p)
		return
	}
	be.overImages(p.N, p.N, func(_, lo, hi, th int) {
		col := colScratch(p)
		defer putScratch(col)
		for n := lo; n < hi; n++ {
			dxn := dxd[n*chw : (n+1)*chw]
			dyn := dyd[n*p.K*pq : (n+1)*p.K*pq]
			if col == nil {
				be.gemm(th, true, false, crs, pq, p.K, 1, wd, dyn, 0, dxn)
				continue
			}
			be.gemm(th, true, false, crs, pq, p.K, 1, wd, dyn, 0, col)
			clear(dxn)
			col2im(dxn, col, p)
		}
	})
}

func (be *Backend) Conv2DBackwardFilter(dw, dy, x *engine.Tensor, p engine.Conv2DParams) {
	checkConv(be, "Conv2DBackwardFilter", p, x, dy, dw, [3]string{"x", "dy", "dw"})
	if be.convOneDNN(convBackwardFilter, dw, dy, x, p) {
		return
	}
	dwd, dyd, xd := overwrite(dw), data(dy), data(x)
	if shiftedFilterPays(p) && be.UsesBLAS() {
		be.convFilterShifted(dwd, dyd, xd, p)
		return
	}
	crs, pq := p.C*p.R*p.S, p.OutH()*p.OutW()
	kcrs := p.K * crs
	// With fewer output channels than taps OpenBLAS is faster on the
	// transposed product dW^T (C*R*S, K) = col (C*R*S, P*Q) dy^T (about
	// 1.4x for K = 16, C*R*S = 144), transposed into dw at the end.
	trans := p.K < crs
	// Per-chunk partial sums added in chunk order: deterministic for a
	// given thread count whatever goroutine ran which chunk. Chunks: 4 per
	// thread for load balance, fewer when the partials would pass 64 MiB.
	chunks := min(4*be.threads, max(be.threads, (1<<24)/kcrs))
	partial := make([][]float32, min(chunks, p.N))
	workers := be.overImages(p.N, chunks, func(wk, lo, hi, th int) {
		acc := dwd
		if wk > 0 || trans {
			acc = getScratch(kcrs)
		}
		partial[wk] = acc
		col := colScratch(p)
		defer putScratch(col)
		for n := lo; n < hi; n++ {
			xn := imageCols(col, xd, n, p)
			beta := float32(1)
			if n == lo {
				beta = 0
			}
			dyn := dyd[n*p.K*pq : (n+1)*p.K*pq]
			if trans {
				be.gemm(th, false, true, crs, p.K, pq, 1, xn, dyn, beta, acc)
			} else {
				be.gemm(th, false, true, p.K, crs, pq, 1, dyn, xn, beta, acc)
			}
		}
	})
	sum := partial[0]
	for wk := 1; wk < workers; wk++ {
		Add(sum, sum, partial[wk])
		putScratch(partial[wk])
	}
	if trans {
		// sum is (C*R*S, K): dw[k, j] = sum[j, k]
		for j := 0; j < crs; j++ {
			for k := 0; k < p.K; k++ {
				dwd[k*crs+j] = sum[j*p.K+k]
			}
		}
		putScratch(sum)
	}
}

// convBackwardDataStride1 computes a stride-1 backward-data as the forward
// convolution of dy with the flipped, transposed filter
// wt[c,k,R-1-r,S-1-s] = w[k,c,r,s] and padding R-1-PadH, S-1-PadW: GEMMs
// of inner size K*R*S instead of K and no col2im scatter.
func (be *Backend) convBackwardDataStride1(dxd, dyd, wd []float32, p engine.Conv2DParams) {
	wt := getScratch(len(wd)) // every entry is written below
	defer putScratch(wt)
	for k := 0; k < p.K; k++ {
		for c := 0; c < p.C; c++ {
			for r := 0; r < p.R; r++ {
				for s := 0; s < p.S; s++ {
					wt[((c*p.K+k)*p.R+p.R-1-r)*p.S+p.S-1-s] = wd[((k*p.C+c)*p.R+r)*p.S+s]
				}
			}
		}
	}
	// t's output is p's input (H x W), and t is never direct1x1 (p is not).
	t := engine.Conv2DParams{N: p.N, C: p.K, H: p.OutH(), W: p.OutW(), K: p.C, R: p.R, S: p.S,
		StrideH: 1, StrideW: 1, PadH: p.R - 1 - p.PadH, PadW: p.S - 1 - p.PadW}
	be.convForwardBuiltin(dxd, dyd, wt, t)
}
