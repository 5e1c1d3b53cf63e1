package cpu

import (
	"math"

	"simclr-vk/engine"
)

// NT-Xent (normalised temperature-scaled cross entropy, SimCLR) over z
// (2N, d) with unit rows; rows i and i+N are the two views of image i.
// With s = z z^T / tau and pos(i) = (i + N) mod 2N:
//
//	loss = 1/(2N) sum_i ( lse_i - s_i,pos(i) ),  lse_i = log sum_{k != i} exp(s_ik)
//	top1 = fraction of rows i with s_i,pos(i) >= s_ik for every k != i
//	dz_i = 1/(2N tau) ( sum_{k != i} (p_ik + p_ki) z_k - 2 z_pos(i) ),  p_ik = exp(s_ik - lse_i)
//
// The loss is the paper's 1/(2N) mean (the TF reference reports twice this).
// Every size comes from z's shape, never from a configured batch size.

// NTXentForwardBackward is the reference: it builds the full 2N x 2N
// similarity and probability matrices.
//
//	dz  (rows, d) output gradient, or nil for forward only
//	out (2) output: [loss, top1]
//	z   (rows, d), rows = 2N even, unit rows
//
// s_ik = (sum_j z_ij z_kj, accumulated in float32 in order j) * (1/tau);
// log-sum-exp, loss and gradient sums in float64.
func NTXentForwardBackward(dz, out, z []float32, rows, d int, tau float32) {
	half := rows / 2
	invTau := 1 / tau
	s := make([]float32, rows*rows)
	for i := 0; i < rows; i++ {
		zi := z[i*d : (i+1)*d]
		for k := 0; k < rows; k++ {
			zk := z[k*d : (k+1)*d]
			var dot float32
			for j := range zi {
				dot += zi[j] * zk[j]
			}
			s[i*rows+k] = dot * invTau
		}
	}
	lse := make([]float64, rows)
	loss, correct := 0.0, 0
	for i := 0; i < rows; i++ {
		pos := (i + half) % rows
		row := s[i*rows : (i+1)*rows]
		m := float32(math.Inf(-1))
		top := true
		for k, v := range row {
			if k == i {
				continue
			}
			m = max(m, v)
			if k != pos && v > row[pos] {
				top = false
			}
		}
		sum := 0.0
		for k, v := range row {
			if k != i {
				sum += math.Exp(float64(v - m))
			}
		}
		lse[i] = float64(m) + math.Log(sum)
		loss += lse[i] - float64(row[pos])
		if top {
			correct++
		}
	}
	out[0] = float32(loss / float64(rows))
	out[1] = float32(float64(correct) / float64(rows))
	if dz == nil {
		return
	}
	p := make([]float32, rows*rows)
	for i := 0; i < rows; i++ {
		for k := 0; k < rows; k++ {
			if k != i {
				p[i*rows+k] = float32(math.Exp(float64(s[i*rows+k]) - lse[i]))
			}
		}
	}
	scale := 1 / (float64(rows) * float64(tau))
	acc := make([]float64, d)
	for i := 0; i < rows; i++ {
		pos := (i + half) % rows
		clear(acc)
		for k := 0; k < rows; k++ {
			w := float64(p[i*rows+k]) + float64(p[k*rows+i])
			zk := z[k*d : (k+1)*d]
			for j := range acc {
				acc[j] += w * float64(zk[j])
			}
		}
		zp := z[pos*d : (pos+1)*d]
		for j := range acc {
			dz[i*d+j] = float32(scale * (acc[j] - 2*float64(zp[j])))
		}
	}
}

// NTXentFLOPs is the arithmetic of one fused forward+backward (two passes of
// similarity tiles, 2 flops per multiply-add, and one gradient pass), used by
// benchmarks to report GFLOP/s: 6 * rows^2 * d (4 * rows^2 * d forward only).
func NTXentFLOPs(rows, d int, backward bool) float64 {
	f := 2 * float64(rows) * float64(rows) * float64(d)
	if backward {
		return 3 * f
	}
	return f
}

// NTXentForwardBackward implements engine.Backend with the tiled parallel
// fast path ntxentFast (no 2N x 2N matrix).
func (be *Backend) NTXentForwardBackward(dz, out, z *engine.Tensor, tau float32) {
	const op = "NTXentForwardBackward"
	engine.CheckBackend(op, be, dz, out, z)
	rows, d := engine.CheckNTXent(op, dz, out, z, tau)
	ntxentFast(be, data(dz), data(out), data(z), rows, d, tau)
}

// NTXentReference runs the reference (full matrix) on CPU tensors: the
// baseline of `simclr-vk bench ntxent --backend cpu`.
func (be *Backend) NTXentReference(dz, out, z *engine.Tensor, tau float32) {
	const op = "NTXentReference"
	engine.CheckBackend(op, be, dz, out, z)
	rows, d := engine.CheckNTXent(op, dz, out, z, tau)
	NTXentForwardBackward(data(dz), data(out), data(z), rows, d, tau)
}

// Tiling of the fast path: a work unit is ntxentBlock rows of z; it streams
// the similarity rows in tiles of ntxentTile columns computed by the
// backend's GEMM (OpenBLAS or the pure-Go kernel, one thread per work unit),
// so the extra memory is O(rows + threads * ntxentBlock * (ntxentTile + d)).
const (
	ntxentBlock = 64
	ntxentTile  = 256
)

// ntxentFast is the CPU fast path of NTXentForwardBackward (same arguments
// as the reference). Pass 1 streams tiles of s to get each row's
// log-sum-exp (running max), its positive logit and the top-1 flag; the
// loss is then reduced in row order. Pass 2 streams the tiles again, turns
// them into w_ik = p_ik + p_ki with p_ki = exp(s_ik - lse_k) (s is
// symmetric) and accumulates w z with a GEMM. Both passes are parallel over
// row blocks; every value is computed by one goroutine with a fixed tiling,
// so results do not depend on the thread count.
func ntxentFast(be *Backend, dz, out, z []float32, rows, d int, tau float32) {
	const B, T = ntxentBlock, ntxentTile
	half := rows / 2
	invTau := 1 / tau
	lse := make([]float64, rows)
	spos := make([]float32, rows)
	top := make([]bool, rows)
	nblk := (rows + B - 1) / B
	negInf := float32(math.Inf(-1))
	// tileDots fills tile (r1-r0, c1-c0) with s for rows [r0, r1), columns [c0, c1).
	tileDots := func(tile []float32, r0, r1, c0, c1 int) []float32 {
		tile = tile[:(r1-r0)*(c1-c0)]
		be.gemm(1, false, true, r1-r0, c1-c0, d, invTau, z[r0*d:r1*d], z[c0*d:c1*d], 0, tile)
		return tile
	}

	be.parallelFor(nblk, func(lo, hi int) {
		buf := make([]float32, B*T)
		for blk := lo; blk < hi; blk++ {
			r0, r1 := blk*B, min(rows, (blk+1)*B)
			var m, neg [B]float32
			var sum [B]float64
			for r := range m {
				m[r], neg[r] = negInf, negInf
			}
			for c0 := 0; c0 < rows; c0 += T {
				c1 := min(rows, c0+T)
				tw := c1 - c0
				tile := tileDots(buf, r0, r1, c0, c1)
				for i := r0; i < r1; i++ {
					r := i - r0
					t := tile[r*tw : (r+1)*tw]
					pos := (i + half) % rows
					tm := negInf
					for kk, v := range t {
						k := c0 + kk
						if k == i {
							continue
						}
						tm = max(tm, v)
						if k == pos {
							spos[i] = v
						} else {
							neg[r] = max(neg[r], v)
						}
					}
					if tm == negInf {
						continue // the tile held only column i
					}
					if tm > m[r] {
						sum[r] *= math.Exp(float64(m[r] - tm))
						m[r] = tm
					}
					if c0 <= i && i < c1 {
						t[i-c0] = negInf // exp(-Inf) = 0: column i is excluded
					}
					sum[r] += float64(expSum(t, m[r]))
				}
			}
			for i := r0; i < r1; i++ {
				r := i - r0
				lse[i] = float64(m[r]) + math.Log(sum[r])
				top[i] = spos[i] >= neg[r]
			}
		}
	})

	loss, correct := 0.0, 0
	for i := 0; i < rows; i++ {
		loss += lse[i] - float64(spos[i])
		if top[i] {
			correct++
		}
	}
	out[0] = float32(loss / float64(rows))
	out[1] = float32(float64(correct) / float64(rows))
	if dz == nil {
		return
	}

	scale := float32(1 / (float64(rows) * float64(tau)))
	lse32 := make([]float32, rows)
	for i, v := range lse {
		lse32[i] = float32(v)
	}
	be.parallelFor(nblk, func(lo, hi int) {
		buf := make([]float32, B*T)
		accBuf := make([]float32, B*d)
		for blk := lo; blk < hi; blk++ {
			r0, r1 := blk*B, min(rows, (blk+1)*B)
			acc := accBuf[:(r1-r0)*d]
			clear(acc)
			for c0 := 0; c0 < rows; c0 += T {
				c1 := min(rows, c0+T)
				tw := c1 - c0
				tile := tileDots(buf, r0, r1, c0, c1)
				for i := r0; i < r1; i++ {
					t := tile[(i-r0)*tw : (i-r0+1)*tw]
					expPair(t, lse32[i], lse32[c0:c1])
					if c0 <= i && i < c1 {
						t[i-c0] = 0
					}
				}
				// acc (r1-r0, d) += w (r1-r0, tw) z[c0:c1] (tw, d)
				be.gemm(1, false, false, r1-r0, d, tw, 1, tile, z[c0*d:c1*d], 1, acc)
			}
			for i := r0; i < r1; i++ {
				a := acc[(i-r0)*d : (i-r0+1)*d]
				pos := (i + half) % rows
				zp := z[pos*d : (pos+1)*d]
				o := dz[i*d : (i+1)*d]
				for j := range a {
					o[j] = (a[j] - 2*zp[j]) * scale
				}
			}
		}
	})
}

// expf32 is exp(x) in float32 (Cephes expf: range reduction by ln 2 split
// in two constants and a degree-6 polynomial), within 2 ulp of math.Exp
// for results >= the smallest normal float32; below that (x <= -87, the
// excluded diagonal's -Inf included) and near overflow it defers to
// math.Exp. It is several times faster than math.Exp in the fast path's
// inner loops.
func expf32(x float32) float32 {
	if !(x > -87 && x < 88) {
		return float32(math.Exp(float64(x)))
	}
	return expPoly(x)
}

// expPoly is expf32 for -87 < x < 88 (small enough to inline).
func expPoly(x float32) float32 {
	t := x*1.44269504088896341 + 0.5
	n := int32(t)
	if float32(n) > t {
		n-- // floor for negative t
	}
	fx := float32(n)
	x = x - fx*0.693359375 - fx*-2.12194440e-4
	y := (((((1.9875691500e-4*x+1.3981999507e-3)*x+8.3334519073e-3)*x+4.1665795894e-2)*x+1.6666665459e-1)*x+5.0000001201e-1)*x*x + x + 1
	return y * math.Float32frombits(uint32(n+127)<<23)
}

// expSum returns sum_k exp(t[k] - c) (float32, in order k).
func expSum(t []float32, c float32) float32 {
	var s float32
	for _, v := range t {
		x := v - c
		if x > -87 && x < 88 {
			s += expPoly(x)
		} else {
			s += float32(math.Exp(float64(x)))
		}
	}
	return s
}

// expPair sets t[k] = exp(t[k] - a) + exp(t[k] - b[k]).
func expPair(t []float32, a float32, b []float32) {
	b = b[:len(t)]
	for k, v := range t {
		t[k] = expf32(v-a) + expf32(v-b[k])
	}
}
