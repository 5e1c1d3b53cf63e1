package cpu

import (
	"fmt"
	"math"

	"simclr-vk/engine"
)

// Batch normalisation over x viewed as (n, c, hw), statistics per channel c
// over the n*hw values of that channel (PyTorch BatchNorm1d/2d semantics).

// BatchNormForwardTrain is the reference training-mode batch norm:
// mean and biased variance of the batch normalise x; the running statistics
// move towards the batch mean and the UNBIASED batch variance:
// running = (1-momentum)*running + momentum*batch.
//
//	y          (n, c, hw) output; y = [relu](gamma*(x-mean)*invStd + beta)
//	x          (n, c, hw)
//	gamma      (c) or nil (scale 1)
//	beta       (c) or nil (shift 0)
//	runMean    (c) updated in place
//	runVar     (c) updated in place
//	saveMean   (c) output: batch mean
//	saveInvStd (c) output: 1/sqrt(biased batch variance + eps)
//
// Statistics are accumulated in float64 in a fixed order. n*hw must be > 1
// (the unbiased variance of one value is undefined; PyTorch refuses too).
func BatchNormForwardTrain(y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd []float32, n, c, hw int, eps, momentum float32, relu bool) {
	m := n * hw
	for ch := 0; ch < c; ch++ {
		mean, ss := bnChannelStats(x, ch, n, c, hw)
		variance := ss / float64(m)
		invStd := 1 / math.Sqrt(variance+float64(eps))
		saveMean[ch] = float32(mean)
		saveInvStd[ch] = float32(invStd)
		unbiased := ss / float64(m-1)
		mom := float64(momentum)
		runMean[ch] = float32((1-mom)*float64(runMean[ch]) + mom*mean)
		runVar[ch] = float32((1-mom)*float64(runVar[ch]) + mom*unbiased)

		scale, shift := bnAffine(gamma, beta, ch, mean, invStd)
		batchNormApply(y, x, ch, n, c, hw, scale, shift, relu)
	}
}

// bnChannelStats returns the mean and M2 = sum (x - mean)^2 of channel ch
// of x (n, c, hw): two passes in float64, in a fixed order.
func bnChannelStats(x []float32, ch, n, c, hw int) (mean, m2 float64) {
	sum := 0.0
	for i := 0; i < n; i++ {
		for _, v := range x[(i*c+ch)*hw : (i*c+ch+1)*hw] {
			sum += float64(v)
		}
	}
	mean = sum / float64(n*hw)
	for i := 0; i < n; i++ {
		for _, v := range x[(i*c+ch)*hw : (i*c+ch+1)*hw] {
			d := float64(v) - mean
			m2 += d * d
		}
	}
	return mean, m2
}

// bnAffine returns the per-channel scale and shift that batch norm applies
// to x: y = scale*x + shift with scale = gamma*invStd and
// shift = gamma*(-mean*invStd) + beta (gamma 1 and beta 0 when nil).
func bnAffine(gamma, beta []float32, ch int, mean, invStd float64) (scale, shift float32) {
	scale, shift = float32(invStd), float32(-mean*invStd)
	if gamma != nil {
		scale, shift = gamma[ch]*scale, gamma[ch]*shift
	}
	if beta != nil {
		shift += beta[ch]
	}
	return scale, shift
}

// batchNormApply writes y = [relu](scale*x + shift) for channel ch.
func batchNormApply(y, x []float32, ch, n, c, hw int, scale, shift float32, relu bool) {
	for i := 0; i < n; i++ {
		off := (i*c + ch) * hw
		xr, yr := x[off:off+hw], y[off:off+hw]
		for j, v := range xr {
			o := scale*v + shift
			if relu && o < 0 {
				o = 0
			}
			yr[j] = o
		}
	}
}

// BatchNormForwardInfer is the reference inference-mode batch norm with the
// running statistics:
//
//	y       (n, c, hw) output; y = [relu](gamma*(x-runMean)/sqrt(runVar+eps) + beta)
//	x       (n, c, hw)
//	gamma   (c) or nil
//	beta    (c) or nil
//	runMean (c)
//	runVar  (c)
func BatchNormForwardInfer(y, x, gamma, beta, runMean, runVar []float32, n, c, hw int, eps float32, relu bool) {
	batchNormInferChannels(0, c, y, x, gamma, beta, runMean, runVar, n, c, hw, eps, relu)
}

func batchNormInferChannels(lo, hi int, y, x, gamma, beta, runMean, runVar []float32, n, c, hw int, eps float32, relu bool) {
	for ch := lo; ch < hi; ch++ {
		invStd := 1 / math.Sqrt(float64(runVar[ch])+float64(eps))
		mean := float64(runMean[ch])
		scale, shift := bnAffine(gamma, beta, ch, mean, invStd)
		batchNormApply(y, x, ch, n, c, hw, scale, shift, relu)
	}
}

// BatchNormBackward is the reference backward of BatchNormForwardTrain.
// With xhat = (x-mean)*invStd and g = dy masked by y > 0 when relu:
//
//	dbeta  = sum g, dgamma = sum g*xhat           (over n and hw, per channel)
//	dx     = gamma*invStd/m * (m*g - dbeta - xhat*dgamma),  m = n*hw
//
//	dx         (n, c, hw) output
//	dgamma     (c) output or nil
//	dbeta      (c) output or nil
//	dy         (n, c, hw)
//	x          (n, c, hw) forward input
//	y          (n, c, hw) forward output (read only when relu; may be nil otherwise)
//	gamma      (c) or nil (scale 1)
//	saveMean   (c), saveInvStd (c) from the forward
func BatchNormBackward(dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd []float32, n, c, hw int, relu bool) {
	m := float64(n * hw)
	for ch := 0; ch < c; ch++ {
		mean, invStd := float64(saveMean[ch]), float64(saveInvStd[ch])
		sg, sgx := bnChannelBackSums(dy, x, y, ch, n, c, hw, mean, invStd, relu)
		bnStoreParamGrads(dgamma, dbeta, ch, sg, sgx)
		k := gammaAt(gamma, ch) * invStd / m
		for i := 0; i < n; i++ {
			off := (i*c + ch) * hw
			for j := off; j < off+hw; j++ {
				xhat := (float64(x[j]) - mean) * invStd
				dx[j] = float32(k * (m*bnMaskedGrad(dy, y, j, relu) - sg - xhat*sgx))
			}
		}
	}
}

// bnChannelBackSums returns sum g and sum g*xhat over channel ch of
// (n, c, hw), g = dy masked by y > 0 when relu, xhat = (x - mean)*invStd,
// in float64 in a fixed order.
func bnChannelBackSums(dy, x, y []float32, ch, n, c, hw int, mean, invStd float64, relu bool) (sg, sgx float64) {
	for i := 0; i < n; i++ {
		off := (i*c + ch) * hw
		for j := off; j < off+hw; j++ {
			g := bnMaskedGrad(dy, y, j, relu)
			sg += g
			sgx += g * (float64(x[j]) - mean) * invStd
		}
	}
	return sg, sgx
}

// bnMaskedGrad is g = dy[j], zeroed where the fused ReLU's output y[j] is
// not positive when relu (y is read only then).
func bnMaskedGrad(dy, y []float32, j int, relu bool) float64 {
	if relu && !(y[j] > 0) {
		return 0
	}
	return float64(dy[j])
}

// bnStoreParamGrads sets dbeta[ch] = sg and dgamma[ch] = sgx (either slice
// may be nil: not wanted).
func bnStoreParamGrads(dgamma, dbeta []float32, ch int, sg, sgx float64) {
	if dbeta != nil {
		dbeta[ch] = float32(sg)
	}
	if dgamma != nil {
		dgamma[ch] = float32(sgx)
	}
}

// gammaAt is gamma[ch], or 1 when gamma is nil (no scale).
func gammaAt(gamma []float32, ch int) float64 {
	if gamma == nil {
		return 1
	}
	return float64(gamma[ch])
}

// bnGrain is the number of channels per block of the channel-parallel
// loops: 4 blocks per thread, each at least about 4096 values.
func bnGrain(p engine.BatchNormParams, threads int) int {
	return max((p.C+4*threads-1)/(4*threads), 4096/(p.N*p.HW), 1)
}

// BatchNormForwardTrain implements engine.Backend with bnTrainFast,
// parallel over channels taken in turn by the goroutines.
func (be *Backend) BatchNormForwardTrain(y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormForwardTrain"
	engine.CheckBackend(op, be, y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd)
	engine.CheckBatchNorm(op, p, x, gamma, beta, runMean, runVar, saveMean, saveInvStd)
	engine.CheckNumel(op, "y", y, x.Numel())
	if p.N*p.HW < 2 {
		panic(fmt.Sprintf("engine: %s: need more than 1 value per channel in training mode (N %d, HW %d)", op, p.N, p.HW))
	}
	gd, bd := data(gamma), data(beta)
	rm, rv, sm, si := data(runMean), data(runVar), data(saveMean), data(saveInvStd)
	if d, ok := bnBlockedDims(p, y, x); ok {
		be.bnTrainBlocked(d, overwrite(y), bufOf(x).s, gd, bd, rm, rv, sm, si, p)
		setBlocked(y, d)
		return
	}
	xd := data(x)
	yd := overwrite(y) // after x: y may be x
	parallelGrain(be.threads, p.C, bnGrain(p, be.threads), func(lo, hi int) {
		bnTrainFast(lo, hi, yd, xd, gd, bd, rm, rv, sm, si, p.N, p.C, p.HW, p.Eps, p.Momentum, p.ReLU)
	})
}

// BatchNormForwardInfer implements engine.Backend with bnInferFast,
// parallel over channels taken in turn by the goroutines.
func (be *Backend) BatchNormForwardInfer(y, x, gamma, beta, runMean, runVar *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormForwardInfer"
	engine.CheckBackend(op, be, y, x, gamma, beta, runMean, runVar)
	engine.CheckBatchNorm(op, p, x, gamma, beta, runMean, runVar)
	engine.CheckNumel(op, "y", y, x.Numel())
	gd, bd, rm, rv := data(gamma), data(beta), data(runMean), data(runVar)
	if d, ok := bnBlockedDims(p, y, x); ok {
		be.bnInferBlocked(d, overwrite(y), bufOf(x).s, gd, bd, rm, rv, p)
		setBlocked(y, d)
		return
	}
	xd := data(x)
	yd := overwrite(y) // after x: y may be x
	parallelGrain(be.threads, p.C, bnGrain(p, be.threads), func(lo, hi int) {
		bnInferFast(lo, hi, yd, xd, gd, bd, rm, rv, p.N, p.C, p.HW, p.Eps, p.ReLU)
	})
}

// BatchNormBackward implements engine.Backend with bnBackwardFast,
// parallel over channels taken in turn by the goroutines.
func (be *Backend) BatchNormBackward(dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormBackward"
	engine.CheckBackend(op, be, dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd)
	engine.CheckBatchNorm(op, p, x, gamma, nil, saveMean, saveInvStd)
	engine.CheckNumel(op, "dx", dx, x.Numel())
	engine.CheckNumel(op, "dy", dy, x.Numel())
	if p.ReLU {
		engine.CheckNumel(op, "y", y, x.Numel())
	}
	if dgamma != nil {
		engine.CheckNumel(op, "dgamma", dgamma, p.C)
	}
	if dbeta != nil {
		engine.CheckNumel(op, "dbeta", dbeta, p.C)
	}
	ry := y
	if !p.ReLU {
		ry = nil
	}
	dgd, dbd, gd := data(dgamma), data(dbeta), data(gamma)
	sm, si := data(saveMean), data(saveInvStd)
	if d, ok := bnBlockedDims(p, dx, x, dy, ry); ok {
		var yd []float32
		if ry != nil {
			yd = bufOf(ry).s
		}
		be.bnBackwardBlocked(d, overwrite(dx), dgd, dbd, bufOf(dy).s, bufOf(x).s, yd, gd, sm, si)
		setBlocked(dx, d)
		return
	}
	var yd []float32
	if p.ReLU {
		yd = data(y)
	}
	dyd, xd := data(dy), data(x)
	dxd := overwrite(dx) // after dy: dx may be dy
	parallelGrain(be.threads, p.C, bnGrain(p, be.threads), func(lo, hi int) {
		bnBackwardFast(lo, hi, dxd, dgd, dbd, dyd, xd, yd, gd, sm, si, p.N, p.C, p.HW)
	})
}
