package cpu

import (
	"math"

	"simclr-vk/engine"
)

// Batch norm on activations held in nChw16c (layout.go): the blocked
// counterparts of bnTrainFast / bnInferFast / bnBackwardFast. A unit is
// one image's block of 16 channels, hw positions of 16 values (two AVX2
// registers, simd_blocked_cgo.go); units run in parallel, each writing its
// own per-channel sums, which are then added in image order per channel:
// the results do not depend on the thread count. They differ from the
// NCHW kernels by the order of the float64 sums only.

// bnBlockedDims returns the blocked shape for p of the first of ts that
// is held so, after converting the other ones (nil ones skipped) to it in
// place, for an op writing dst in it; false, and nothing converted, where
// none is or an operand cannot be.
func bnBlockedDims(p engine.BatchNormParams, dst *engine.Tensor, ts ...*engine.Tensor) (nchw, bool) {
	var d nchw
	found := false
	for _, t := range ts {
		if dd, ok := isBlocked(t); ok && dd.same(nchw{p.N, p.C, p.HW, 1}) {
			d, found = dd, true
			break
		}
	}
	if !found || !blockable(dst, d) {
		return d, false
	}
	for _, t := range ts {
		if t != nil && !blockable(t, d) {
			return d, false
		}
	}
	for _, t := range ts {
		if t != nil {
			toBlocked(t, d)
		}
	}
	return d, true
}

// bnUnits runs fn over the units [lo, hi) of d in parallel, a few units
// per goroutine turn.
func (be *Backend) bnUnits(d nchw, fn func(lo, hi int)) {
	units, hw := d.n*d.c/blockC, d.h*d.w
	grain := max((units+8*be.threads-1)/(8*be.threads), 4096/(blockC*hw), 1)
	if be.threads <= 1 {
		fn(0, units)
		return
	}
	parallelGrain(be.threads, units, grain, fn)
}

// bnSumUnits adds the per-unit sums part (32 per unit: 16 of one kind,
// 16 of the other) into per-channel a and b, in image order.
func bnSumUnits(part []float64, d nchw, a, b []float64) {
	cb := d.c / blockC
	for i := 0; i < d.n; i++ {
		for k := 0; k < cb; k++ {
			u := part[(i*cb+k)*2*blockC:]
			for j := 0; j < blockC; j++ {
				a[k*blockC+j] += u[j]
				b[k*blockC+j] += u[blockC+j]
			}
		}
	}
}

// bnUnitScratch returns a pooled buffer (putScratch64 it) for d's
// per-unit sums, which the unit kernels write whole, followed by three
// zeroed per-channel float64 slices, returned apart.
func bnUnitScratch(d nchw) ([]float64, [3][]float64) {
	units, c := d.n*d.c/blockC, d.c
	part := getScratch64(units*2*blockC + 3*c)
	tail := part[units*2*blockC:]
	clear(tail)
	return part, [3][]float64{tail[:c], tail[c : 2*c], tail[2*c:]}
}

// bnTrainBlocked is BatchNormForwardTrain on x held blocked as d: y is
// written blocked.
func (be *Backend) bnTrainBlocked(d nchw, yd, xd, gd, bd, rm, rv, sm, si []float32, p engine.BatchNormParams) {
	c, hw := d.c, d.h*d.w
	part, ch3 := bnUnitScratch(d)
	defer putScratch64(part)
	shift, sum, sq := ch3[0], ch3[1], ch3[2]
	for ch := range shift { // the channel's first value, as bnTrainFast
		shift[ch] = float64(xd[(ch/blockC)*blockC*hw+ch%blockC])
	}
	be.bnUnits(d, func(lo, hi int) { bnbStats(xd, lo, hi, c/blockC, hw, shift, part) })
	bnSumUnits(part, d, sum, sq)
	coef := make([]float32, 2*c)
	scales, shifts := coef[:c], coef[c:]
	m := float64(d.n * hw)
	for ch := 0; ch < c; ch++ {
		scales[ch], shifts[ch] = bnTrainChannel(ch, m, shift[ch], sum[ch], sq[ch], gd, bd, rm, rv, sm, si, p.Eps, p.Momentum)
	}
	be.bnUnits(d, func(lo, hi int) { bnbApply(yd, xd, lo, hi, c/blockC, hw, scales, shifts, p.ReLU) })
}

// bnInferBlocked is BatchNormForwardInfer on x held blocked as d.
func (be *Backend) bnInferBlocked(d nchw, yd, xd, gd, bd, rm, rv []float32, p engine.BatchNormParams) {
	c, hw := d.c, d.h*d.w
	coef := make([]float32, 2*c)
	scales, shifts := coef[:c], coef[c:]
	for ch := 0; ch < c; ch++ {
		invStd := 1 / math.Sqrt(float64(rv[ch])+float64(p.Eps))
		scales[ch], shifts[ch] = bnAffine(gd, bd, ch, float64(rm[ch]), invStd)
	}
	be.bnUnits(d, func(lo, hi int) { bnbApply(yd, xd, lo, hi, c/blockC, hw, scales, shifts, p.ReLU) })
}

// bnBackwardBlocked is BatchNormBackward on dy, x (and y) held blocked as
// d: dx is written blocked.
func (be *Backend) bnBackwardBlocked(d nchw, dxd, dgd, dbd, dyd, xd, yd, gd, sm, si []float32) {
	c, hw := d.c, d.h*d.w
	part, ch3 := bnUnitScratch(d)
	defer putScratch64(part)
	sg, sgd, mean := ch3[0], ch3[1], ch3[2]
	for ch, v := range sm[:c] { // widened once for every unit's kernel
		mean[ch] = float64(v)
	}
	be.bnUnits(d, func(lo, hi int) { bnbBackSums(dyd, xd, yd, lo, hi, c/blockC, hw, mean, part) })
	bnSumUnits(part, d, sg, sgd)
	coef := make([]float32, 4*c)
	as, bs, cs, ms := coef[:c], coef[c:2*c], coef[2*c:3*c], coef[3*c:]
	m := float64(d.n * hw)
	for ch := 0; ch < c; ch++ {
		as[ch], bs[ch], cs[ch], ms[ch] = bnBackChannel(ch, m, sg[ch], sgd[ch], dgd, dbd, gd, sm, si)
	}
	be.bnUnits(d, func(lo, hi int) { bnbDx(dxd, dyd, xd, yd, lo, hi, c/blockC, hw, as, bs, cs, ms) })
}

// The unit kernels: units [lo, hi) of buffers in nChw16c with cb channel
// blocks per image and hw positions; unit u starts at u*16*hw and holds
// channels (u%cb)*16 ... +15, whose per-channel parameters are read at
// that index. The simd* versions (simd_blocked_cgo.go) do the same with
// AVX2; these are the Go ones, also the fallback.

func bnbStats(x []float32, lo, hi, cb, hw int, shift, part []float64) {
	if simdOK {
		simdBNBStats(x, lo, hi, cb, hw, shift, part)
		return
	}
	bnbStatsGo(x, lo, hi, cb, hw, shift, part)
}

func bnbApply(y, x []float32, lo, hi, cb, hw int, scale, shift []float32, relu bool) {
	if simdOK {
		simdBNBApply(y, x, lo, hi, cb, hw, scale, shift, relu)
		return
	}
	bnbApplyGo(y, x, lo, hi, cb, hw, scale, shift, relu)
}

func bnbBackSums(dy, x, y []float32, lo, hi, cb, hw int, mean, part []float64) {
	if simdOK {
		simdBNBBackSums(dy, x, y, lo, hi, cb, hw, mean, part)
		return
	}
	bnbBackSumsGo(dy, x, y, lo, hi, cb, hw, mean, part)
}

func bnbDx(d, g, x, y []float32, lo, hi, cb, hw int, a, b, cc, mean []float32) {
	if simdOK {
		simdBNBDx(d, g, x, y, lo, hi, cb, hw, a, b, cc, mean)
		return
	}
	bnbDxGo(d, g, x, y, lo, hi, cb, hw, a, b, cc, mean)
}

// bnbStatsGo writes sum(x - shift) and sum((x - shift)^2) per channel of
// each unit into part (32 per unit).
func bnbStatsGo(x []float32, lo, hi, cb, hw int, shift, part []float64) {
	for u := lo; u < hi; u++ {
		sh := shift[(u%cb)*blockC:][:blockC]
		var s, q [blockC]float64
		for j := 0; j < hw; j++ {
			v := x[(u*hw+j)*blockC:][:blockC]
			for k := range blockC {
				dv := float64(v[k]) - sh[k]
				s[k] += dv
				q[k] += dv * dv
			}
		}
		copy(part[u*2*blockC:], s[:])
		copy(part[u*2*blockC+blockC:], q[:])
	}
}

// bnbApplyGo writes y = [relu](scale*x + shift) (products rounded as in
// bnApplyPlaneGo).
func bnbApplyGo(y, x []float32, lo, hi, cb, hw int, scale, shift []float32, relu bool) {
	for u := lo; u < hi; u++ {
		sc, sh := scale[(u%cb)*blockC:][:blockC], shift[(u%cb)*blockC:][:blockC]
		for j := 0; j < hw; j++ {
			off := (u*hw + j) * blockC
			xv, yv := x[off:][:blockC], y[off:][:blockC]
			for k := range blockC {
				v := float32(sc[k]*xv[k]) + sh[k]
				if relu {
					v = max(v, 0)
				}
				yv[k] = v
			}
		}
	}
}

// bnbBackSumsGo writes sum g and sum g*(x-mean) per channel of each unit
// into part, g = dy masked by y > 0 where y != nil.
func bnbBackSumsGo(dy, x, y []float32, lo, hi, cb, hw int, mean, part []float64) {
	for u := lo; u < hi; u++ {
		mu := mean[(u%cb)*blockC:][:blockC]
		var s, q [blockC]float64
		for j := 0; j < hw; j++ {
			off := (u*hw + j) * blockC
			gv, xv := dy[off:][:blockC], x[off:][:blockC]
			for k := range blockC {
				g := gv[k]
				if y != nil {
					g = reluGrad(g, y[off+k])
				}
				s[k] += float64(g)
				q[k] += float64(g) * (float64(xv[k]) - mu[k])
			}
		}
		copy(part[u*2*blockC:], s[:])
		copy(part[u*2*blockC+blockC:], q[:])
	}
}

// bnbDxGo writes d = a*g - b*(x-mean) - cc, g masked as in bnbBackSumsGo.
func bnbDxGo(d, g, x, y []float32, lo, hi, cb, hw int, a, b, cc, mean []float32) {
	for u := lo; u < hi; u++ {
		ch := (u % cb) * blockC
		av, bv, cv, mv := a[ch:][:blockC], b[ch:][:blockC], cc[ch:][:blockC], mean[ch:][:blockC]
		for j := 0; j < hw; j++ {
			off := (u*hw + j) * blockC
			for k := range blockC {
				gj := g[off+k]
				if y != nil {
					gj = reluGrad(gj, y[off+k])
				}
				d[off+k] = float32(av[k]*gj) - float32(bv[k]*(x[off+k]-mv[k])) - cv[k]
			}
		}
	}
}
