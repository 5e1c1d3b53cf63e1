package cpu

import "math"

// Fast batch-norm kernels behind the Backend methods (the reference
// functions in batchnorm.go are the spec). Per channel:
//   - forward: one pass over the channel's n contiguous hw planes for the
//     statistics (sum and sum of squares of x - shift, shift = the channel's
//     first value, so that large means do not cancel), four independent
//     float64 accumulators per plane so the adds do not wait on each other,
//     then one float32 pass y = [relu](scale*x + shift) over the planes in
//     reverse order, so that it starts on the planes still in cache;
//   - backward: one pass for sum g and sum g*(x-mean) (g = dy masked by
//     y > 0 when relu, branch-free), then one float32 pass
//     dx = a*g - b*(x-mean) - c, again over the planes in reverse order.
// Each channel is computed by one goroutine in a fixed order, so results do
// not depend on the thread count; they differ from the reference by
// rounding only (checked with tolerances in the tests).

// bnPlaneStats returns sum(v-shift) and sum((v-shift)^2) over row: the
// AVX2 kernel on long rows where there is one (simd_cgo.go).
func bnPlaneStats(row []float32, shift float64) (s, q float64) {
	if simdOK && len(row) >= simdMinLen {
		return simdBNStats(row, shift)
	}
	return bnPlaneStatsGo(row, shift)
}

// bnPlaneStatsGo is bnPlaneStats in Go.
func bnPlaneStatsGo(row []float32, shift float64) (s, q float64) {
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	j := 0
	for ; j+4 <= len(row); j += 4 {
		r := row[j : j+4 : j+4]
		d0, d1, d2, d3 := float64(r[0])-shift, float64(r[1])-shift, float64(r[2])-shift, float64(r[3])-shift
		s0 += d0
		s1 += d1
		s2 += d2
		s3 += d3
		q0 += d0 * d0
		q1 += d1 * d1
		q2 += d2 * d2
		q3 += d3 * d3
	}
	for ; j < len(row); j++ {
		d := float64(row[j]) - shift
		s0 += d
		q0 += d * d
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}

// bnTrainFast is the fast BatchNormForwardTrain for channels [lo, hi).
// Images outer, channels inner: the block's planes of one image are
// contiguous, which streams better than one channel's planes at a stride.
// Each channel's sums still add the per-plane sums in image order.
func bnTrainFast(lo, hi int, y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd []float32, n, c, hw int, eps, momentum float32, relu bool) {
	m := float64(n * hw)
	nc := hi - lo
	acc := make([]float64, 3*nc)
	shift, sum, sq := acc[:nc], acc[nc:2*nc], acc[2*nc:]
	for ch := lo; ch < hi; ch++ {
		shift[ch-lo] = float64(x[ch*hw])
	}
	for i := 0; i < n; i++ {
		if simdOK { // one cgo call for the block's planes of image i
			simdBNStatsPlanes(x[(i*c+lo)*hw:], hw, shift, sum, sq)
			continue
		}
		for ch := lo; ch < hi; ch++ {
			off := (i*c + ch) * hw
			ps, pq := bnPlaneStats(x[off:off+hw], shift[ch-lo])
			sum[ch-lo] += ps
			sq[ch-lo] += pq
		}
	}
	coef := make([]float32, 2*nc)
	scales, shifts := coef[:nc], coef[nc:]
	for ch := lo; ch < hi; ch++ {
		scales[ch-lo], shifts[ch-lo] = bnTrainChannel(ch, m, shift[ch-lo], sum[ch-lo], sq[ch-lo], gamma, beta, runMean, runVar, saveMean, saveInvStd, eps, momentum)
	}
	for i := n - 1; i >= 0; i-- { // the last planes read are still in cache
		if simdOK {
			off := (i*c + lo) * hw
			simdBNApplyPlanes(y[off:], x[off:], hw, scales, shifts, relu)
			continue
		}
		for ch := hi - 1; ch >= lo; ch-- {
			off := (i*c + ch) * hw
			bnApplyPlane(y[off:off+hw], x[off:off+hw], scales[ch-lo], shifts[ch-lo], relu)
		}
	}
}

// bnTrainChannel finishes channel ch of a training forward from the sums
// s and q of (x - shift) and (x - shift)^2 over its m values: it stores
// the batch and running statistics and returns the channel's scale and
// shift (bnAffine).
func bnTrainChannel(ch int, m, shift, s, q float64, gamma, beta, runMean, runVar, saveMean, saveInvStd []float32, eps, momentum float32) (float32, float32) {
	dm := s / m
	mean := shift + dm
	ss := max(q-s*dm, 0) // sum (x-mean)^2
	invStd := 1 / math.Sqrt(ss/m+float64(eps))
	saveMean[ch] = float32(mean)
	saveInvStd[ch] = float32(invStd)
	mom := float64(momentum)
	runMean[ch] = float32((1-mom)*float64(runMean[ch]) + mom*mean)
	runVar[ch] = float32((1-mom)*float64(runVar[ch]) + mom*ss/(m-1))
	return bnAffine(gamma, beta, ch, mean, invStd)
}

// bnBackChannel finishes channel ch of a backward pass from sg = sum g and
// sgd = sum g*(x-mean) over its m values: it stores the parameter
// gradients and returns the coefficients of dx = a*g - b*(x-mean) - cc
// and the mean, in float32.
func bnBackChannel(ch int, m, sg, sgd float64, dgamma, dbeta, gamma, saveMean, saveInvStd []float32) (a, b, cc, mean float32) {
	mu, invStd := float64(saveMean[ch]), float64(saveInvStd[ch])
	sgx := sgd * invStd
	bnStoreParamGrads(dgamma, dbeta, ch, sg, sgx)
	k := gammaAt(gamma, ch) * invStd / m
	// dx = k*(m*g - sg - (x-mean)*invStd*sgx) = a*g - b*(x-mean) - cc
	return float32(k * m), float32(k * invStd * sgx), float32(k * sg), float32(mu)
}

// bnInferFast is the fast BatchNormForwardInfer for channels [lo, hi):
// the reference's per-channel scale and shift (bnAffine of the running
// statistics), then bnTrainFast's apply pass over the block's planes of
// each image. The result equals the reference's (each value is
// float32(scale*x) + shift either way) but for the sign of a zero output.
func bnInferFast(lo, hi int, y, x, gamma, beta, runMean, runVar []float32, n, c, hw int, eps float32, relu bool) {
	nc := hi - lo
	coef := make([]float32, 2*nc)
	scales, shifts := coef[:nc], coef[nc:]
	for ch := lo; ch < hi; ch++ {
		invStd := 1 / math.Sqrt(float64(runVar[ch])+float64(eps))
		scales[ch-lo], shifts[ch-lo] = bnAffine(gamma, beta, ch, float64(runMean[ch]), invStd)
	}
	for i := 0; i < n; i++ {
		if simdOK {
			off := (i*c + lo) * hw
			simdBNApplyPlanes(y[off:], x[off:], hw, scales, shifts, relu)
			continue
		}
		for ch := lo; ch < hi; ch++ {
			off := (i*c + ch) * hw
			bnApplyPlane(y[off:off+hw], x[off:off+hw], scales[ch-lo], shifts[ch-lo], relu)
		}
	}
}

// bnApplyPlane sets y = [relu](scale*x + shift) on one plane.
func bnApplyPlane(y, x []float32, scale, shift float32, relu bool) {
	if simdOK && len(y) >= simdMinLen {
		simdBNApply(y, x, scale, shift, relu)
		return
	}
	bnApplyPlaneGo(y, x, scale, shift, relu)
}

// bnApplyPlaneGo is bnApplyPlane in Go. The float32 conversions round each
// product, as the AVX2 kernel (built without FMA) does: without them a
// GOAMD64=v3 build fuses the multiply-add and the two paths differ.
func bnApplyPlaneGo(y, x []float32, scale, shift float32, relu bool) {
	x = x[:len(y)]
	if relu {
		for j, v := range x {
			y[j] = max(float32(scale*v)+shift, 0)
		}
		return
	}
	for j, v := range x {
		y[j] = float32(scale*v) + shift
	}
}

// bnBackPlaneSums returns sum g and sum g*(x-mean) over one plane, with
// g = dy, or dy where y > 0 when y != nil.
func bnBackPlaneSums(dy, x, y []float32, mean float64) (sg, sgd float64) {
	if simdOK && len(dy) >= simdMinLen {
		return simdBNBackSums(dy, x, y, mean)
	}
	return bnBackPlaneSumsGo(dy, x, y, mean)
}

// bnBackPlaneSumsGo is bnBackPlaneSums in Go.
func bnBackPlaneSumsGo(dy, x, y []float32, mean float64) (sg, sgd float64) {
	x = x[:len(dy)]
	if y != nil {
		y = y[:len(dy)]
	}
	var g0, g1, g2, g3, d0, d1, d2, d3 float64
	j := 0
	for ; j+4 <= len(dy); j += 4 {
		gy, xx := dy[j:j+4:j+4], x[j:j+4:j+4]
		if y != nil {
			yy := y[j : j+4 : j+4]
			gy = []float32{reluGrad(gy[0], yy[0]), reluGrad(gy[1], yy[1]), reluGrad(gy[2], yy[2]), reluGrad(gy[3], yy[3])}
		}
		a0, a1, a2, a3 := float64(gy[0]), float64(gy[1]), float64(gy[2]), float64(gy[3])
		g0 += a0
		g1 += a1
		g2 += a2
		g3 += a3
		d0 += a0 * (float64(xx[0]) - mean)
		d1 += a1 * (float64(xx[1]) - mean)
		d2 += a2 * (float64(xx[2]) - mean)
		d3 += a3 * (float64(xx[3]) - mean)
	}
	for ; j < len(dy); j++ {
		g := dy[j]
		if y != nil {
			g = reluGrad(g, y[j])
		}
		g0 += float64(g)
		d0 += float64(g) * (float64(x[j]) - mean)
	}
	return (g0 + g1) + (g2 + g3), (d0 + d1) + (d2 + d3)
}

// bnBackwardFast is the fast BatchNormBackward for channels [lo, hi),
// images outer and channels inner like bnTrainFast; y is nil unless relu.
func bnBackwardFast(lo, hi int, dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd []float32, n, c, hw int) {
	m := float64(n * hw)
	nc := hi - lo
	acc := make([]float64, 2*nc)
	sgs, sgds := acc[:nc], acc[nc:]
	for i := 0; i < n; i++ {
		if simdOK {
			off := (i*c + lo) * hw
			simdBNBackSumsPlanes(dy[off:], x[off:], tail(y, off), hw, saveMean[lo:hi], sgs, sgds)
			continue
		}
		for ch := lo; ch < hi; ch++ {
			off := (i*c + ch) * hw
			a, b := bnBackPlaneSums(dy[off:off+hw], x[off:off+hw], plane(y, off, hw), float64(saveMean[ch]))
			sgs[ch-lo] += a
			sgds[ch-lo] += b
		}
	}
	coef := make([]float32, 4*nc)
	as, bs, cs, ms := coef[:nc], coef[nc:2*nc], coef[2*nc:3*nc], coef[3*nc:]
	for ch := lo; ch < hi; ch++ {
		as[ch-lo], bs[ch-lo], cs[ch-lo], ms[ch-lo] = bnBackChannel(ch, m, sgs[ch-lo], sgds[ch-lo], dgamma, dbeta, gamma, saveMean, saveInvStd)
	}
	for i := n - 1; i >= 0; i-- { // the last planes read are still in cache
		if simdOK {
			off := (i*c + lo) * hw
			simdBNDxPlanes(dx[off:], dy[off:], x[off:], tail(y, off), hw, as, bs, cs, ms)
			continue
		}
		for ch := hi - 1; ch >= lo; ch-- {
			off := (i*c + ch) * hw
			bnDxPlane(dx[off:off+hw], dy[off:off+hw], x[off:off+hw], plane(y, off, hw), as[ch-lo], bs[ch-lo], cs[ch-lo], ms[ch-lo])
		}
	}
}

// tail is y[off:], or nil when y is (no ReLU).
func tail(y []float32, off int) []float32 {
	if y == nil {
		return nil
	}
	return y[off:]
}

// plane is y[off:off+hw], or nil when y is (no ReLU).
func plane(y []float32, off, hw int) []float32 {
	if y == nil {
		return nil
	}
	return y[off : off+hw]
}

// bnDxPlane writes one (sample, channel) plane of the batch-norm input
// gradient, d = a*g - b*(x-mean) - cc, with g masked to zero where the fused
// ReLU's output y is not positive (y nil: no ReLU).
func bnDxPlane(d, g, x, y []float32, a, b, cc, mean float32) {
	if simdOK && len(d) >= simdMinLen {
		simdBNDx(d, g, x, y, a, b, cc, mean)
		return
	}
	bnDxPlaneGo(d, g, x, y, a, b, cc, mean)
}

// bnDxPlaneGo is bnDxPlane in Go (products rounded as in bnApplyPlaneGo).
func bnDxPlaneGo(d, g, x, y []float32, a, b, cc, mean float32) {
	g, x = g[:len(d)], x[:len(d)]
	if y != nil {
		y = y[:len(d)]
		for j := range d {
			gj := reluGrad(g[j], y[j])
			d[j] = float32(a*gj) - float32(b*(x[j]-mean)) - cc
		}
		return
	}
	for j := range d {
		d[j] = float32(a*g[j]) - float32(b*(x[j]-mean)) - cc
	}
}
