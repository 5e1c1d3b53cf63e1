package cpu

import (
	"fmt"
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

// checkNTXent validates the NT-Xent tensors and returns (rows, d).
func checkNTXent(op string, dz, out, z *engine.Tensor, tau float32) (int, int) {
	if z == nil {
		panic(fmt.Sprintf("engine: %s: z is nil", op))
	}
	if z.Rank() != 2 {
		panic(fmt.Sprintf("engine: %s: z has shape %v, want (2N, d)", op, z.Shape()))
	}
	rows, d := z.Dim(0), z.Dim(1)
	if rows < 2 || rows%2 != 0 {
		panic(fmt.Sprintf("engine: %s: z has %d rows, want an even number 2N >= 2 (views i and i+N are positives)", op, rows))
	}
	if !(tau > 0) || math.IsInf(float64(tau), 0) {
		panic(fmt.Sprintf("engine: %s: temperature %v must be positive and finite", op, tau))
	}
	engine.CheckNumel(op, "out", out, 2)
	if dz != nil {
		engine.CheckNumel(op, "dz", dz, rows*d)
	}
	return rows, d
}

// NTXentForwardBackward implements engine.Backend with the tiled parallel
// fast path ntxentFast (no 2N x 2N matrix).
func (be *Backend) NTXentForwardBackward(dz, out, z *engine.Tensor, tau float32) {
	const op = "NTXentForwardBackward"
	engine.CheckBackend(op, be, dz, out, z)
	rows, d := checkNTXent(op, dz, out, z, tau)
	ntxentFast(be, data(dz), data(out), data(z), rows, d, tau)
}

// NTXentReference runs the reference (full matrix) on CPU tensors: the
// baseline of `simclr-vk bench ntxent --backend cpu`.
func (be *Backend) NTXentReference(dz, out, z *engine.Tensor, tau float32) {
	const op = "NTXentReference"
	engine.CheckBackend(op, be, dz, out, z)
	rows, d := checkNTXent(op, dz, out, z, tau)
	NTXentForwardBackward(data(dz), data(out), data(z), rows, d, tau)
}

// Tiling of the fast path: a work unit is ntxentBlock rows of z; it streams
// the similarity rows in tiles of ntxentTile columns, so the extra memory is
// O(rows + threads * (ntxentBlock * (ntxentTile + d))).
const (
	ntxentBlock = 16
	ntxentTile  = 64
)

// ntxentFast is the CPU fast path of NTXentForwardBackward (same arguments
// as the reference). Pass 1 streams tiles of s to get each row's
// log-sum-exp (running max), its positive logit and the top-1 flag; the
// loss is then reduced in row order. Pass 2 streams the tiles again and
// accumulates sum_k (p_ik + p_ki) z_k with p_ki = exp(s_ik - lse_k) (s is
// symmetric). Both passes are parallel over row blocks; every value is
// computed by one goroutine in a fixed order, so results do not depend on
// the thread count.
func ntxentFast(be *Backend, dz, out, z []float32, rows, d int, tau float32) {
	const B, T = ntxentBlock, ntxentTile
	half := rows / 2
	invTau := 1 / tau
	lse := make([]float64, rows)
	spos := make([]float32, rows)
	top := make([]bool, rows)
	nblk := (rows + B - 1) / B
	negInf := float32(math.Inf(-1))

	be.parallelFor(nblk, func(lo, hi int) {
		tile := make([]float32, B*T)
		for blk := lo; blk < hi; blk++ {
			r0, r1 := blk*B, min(rows, (blk+1)*B)
			var m, neg [B]float32
			var sum [B]float64
			for r := range m {
				m[r], neg[r] = negInf, negInf
			}
			for c0 := 0; c0 < rows; c0 += T {
				c1 := min(rows, c0+T)
				ntxentDots(tile, z, r0, r1, c0, c1, d, invTau)
				for i := r0; i < r1; i++ {
					r := i - r0
					t := tile[r*T : r*T+c1-c0]
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
					for kk, v := range t {
						if c0+kk != i {
							sum[r] += math.Exp(float64(v - m[r]))
						}
					}
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
	be.parallelFor(nblk, func(lo, hi int) {
		tile := make([]float32, B*T)
		acc := make([]float32, B*d)
		for blk := lo; blk < hi; blk++ {
			r0, r1 := blk*B, min(rows, (blk+1)*B)
			clear(acc)
			for c0 := 0; c0 < rows; c0 += T {
				c1 := min(rows, c0+T)
				ntxentDots(tile, z, r0, r1, c0, c1, d, invTau)
				for i := r0; i < r1; i++ {
					r := i - r0
					t := tile[r*T : r*T+c1-c0]
					for kk, v := range t {
						k := c0 + kk
						if k == i {
							t[kk] = 0
							continue
						}
						t[kk] = float32(math.Exp(float64(v)-lse[i]) + math.Exp(float64(v)-lse[k]))
					}
					ntxentAccumulate(acc[r*d:(r+1)*d], t, z, c0, d)
				}
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

// ntxentDots fills tile (stride ntxentTile) with s_ik = <z_i, z_k> * invTau
// for rows [r0, r1) and columns [c0, c1). Each dot product is accumulated in
// float32 in order j, as in the reference, in 2x4 register blocks.
func ntxentDots(tile, z []float32, r0, r1, c0, c1, d int, invTau float32) {
	const T = ntxentTile
	i := r0
	for ; i+1 < r1; i += 2 {
		a0 := z[i*d : (i+1)*d]
		a1 := z[(i+1)*d : (i+2)*d][:len(a0)]
		t0 := tile[(i-r0)*T : (i-r0+1)*T]
		t1 := tile[(i+1-r0)*T : (i+2-r0)*T]
		k := c0
		for ; k+3 < c1; k += 4 {
			b0 := z[k*d : (k+1)*d][:len(a0)]
			b1 := z[(k+1)*d : (k+2)*d][:len(a0)]
			b2 := z[(k+2)*d : (k+3)*d][:len(a0)]
			b3 := z[(k+3)*d : (k+4)*d][:len(a0)]
			var s00, s01, s02, s03, s10, s11, s12, s13 float32
			for j, x0 := range a0 {
				x1 := a1[j]
				y0, y1, y2, y3 := b0[j], b1[j], b2[j], b3[j]
				s00 += x0 * y0
				s01 += x0 * y1
				s02 += x0 * y2
				s03 += x0 * y3
				s10 += x1 * y0
				s11 += x1 * y1
				s12 += x1 * y2
				s13 += x1 * y3
			}
			kk := k - c0
			t0[kk], t0[kk+1], t0[kk+2], t0[kk+3] = s00*invTau, s01*invTau, s02*invTau, s03*invTau
			t1[kk], t1[kk+1], t1[kk+2], t1[kk+3] = s10*invTau, s11*invTau, s12*invTau, s13*invTau
		}
		for ; k < c1; k++ {
			b := z[k*d : (k+1)*d][:len(a0)]
			var s0, s1 float32
			for j, y := range b {
				s0 += a0[j] * y
				s1 += a1[j] * y
			}
			t0[k-c0], t1[k-c0] = s0*invTau, s1*invTau
		}
	}
	for ; i < r1; i++ {
		a := z[i*d : (i+1)*d]
		t := tile[(i-r0)*T : (i-r0+1)*T]
		for k := c0; k < c1; k++ {
			b := z[k*d : (k+1)*d][:len(a)]
			var s float32
			for j, x := range a {
				s += x * b[j]
			}
			t[k-c0] = s * invTau
		}
	}
}

// ntxentAccumulate adds sum_kk w[kk] * z_(c0+kk) to acc (d).
func ntxentAccumulate(acc, w, z []float32, c0, d int) {
	kk := 0
	for ; kk+3 < len(w); kk += 4 {
		k := c0 + kk
		w0, w1, w2, w3 := w[kk], w[kk+1], w[kk+2], w[kk+3]
		b0 := z[k*d : (k+1)*d][:len(acc)]
		b1 := z[(k+1)*d : (k+2)*d][:len(acc)]
		b2 := z[(k+2)*d : (k+3)*d][:len(acc)]
		b3 := z[(k+3)*d : (k+4)*d][:len(acc)]
		for j := range acc {
			acc[j] += w0*b0[j] + w1*b1[j] + w2*b2[j] + w3*b3[j]
		}
	}
	for ; kk < len(w); kk++ {
		k := c0 + kk
		b := z[k*d : (k+1)*d][:len(acc)]
		for j := range acc {
			acc[j] += w[kk] * b[j]
		}
	}
}
