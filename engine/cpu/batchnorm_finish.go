package cpu

import (
	"math"

	"simclr-vk/engine"
)

// The finishing ops of batch norm in parts with one group
// (engine.Backend's BatchNormFinish and BatchNormBackwardFinish): what
// layers' batchNormParts computed on the host between the parts before
// they existed, in the same order and precision, so that mixed precision's
// CPU results kept their bits when it moved onto them.

// BatchNormFinish is the reference of engine.Backend.BatchNormFinish:
//
//	mean, invStd      (c) output: stats' mean, float32(1/sqrt(M2/m + eps)) in float64
//	runMean, runVar   (c) updated unless nil: run = (1-momentum)*run, then
//	                  run += momentum*batch, batch = the mean or
//	                  float32(M2/(m-1)) in float64 (an engine Scale, then an Axpy)
//	stats             (c, 2): [mean, M2] over m values per channel
func BatchNormFinish(mean, invStd, runMean, runVar, stats []float32, c, m int, eps, momentum float32) {
	total := float64(m)
	for ch := 0; ch < c; ch++ {
		mu, m2 := float64(stats[2*ch]), float64(stats[2*ch+1])
		mean[ch], invStd[ch] = float32(mu), float32(1/math.Sqrt(m2/total+float64(eps)))
		if runMean == nil {
			continue
		}
		bm, bv := float32(mu), float32(m2/(total-1))
		// Two roundings, as Scale and Axpy: the conversions keep the
		// compiler from fusing the products.
		rm, rv := float32((1-momentum)*runMean[ch]), float32((1-momentum)*runVar[ch])
		runMean[ch] = rm + momentum*bm
		runVar[ch] = rv + momentum*bv
	}
}

// BatchNormBackwardFinish is the reference of
// engine.Backend.BatchNormBackwardFinish:
//
//	dgamma, dbeta (c) output unless nil: sum g*xhat, sum g (a -0 sum
//	              becomes +0, as added to a zeroed gradient)
//	means         (c, 2) output: float32(sums/m) in float64
//	sums          (c, 2): [sum g, sum g*xhat] over m values per channel
func BatchNormBackwardFinish(dgamma, dbeta, means, sums []float32, c, m int) {
	total := float64(m)
	for ch := 0; ch < c; ch++ {
		if dbeta != nil {
			dbeta[ch] = 0 + sums[2*ch]
		}
		if dgamma != nil {
			dgamma[ch] = 0 + sums[2*ch+1]
		}
	}
	for i := range 2 * c {
		means[i] = float32(float64(sums[i]) / total)
	}
}

// BatchNormInvStd is the reference of engine.Backend.BatchNormInvStd:
// invStd = float32(1/sqrt(runVar + eps)) in float64, what layers'
// mixed-precision eval forward computed on the host before the op
// existed (its CPU features keep their bits).
func BatchNormInvStd(invStd, runVar []float32, eps float32) {
	for ch, v := range runVar {
		invStd[ch] = float32(1 / math.Sqrt(float64(v)+float64(eps)))
	}
}

// BatchNormFinish implements engine.Backend.
func (be *Backend) BatchNormFinish(mean, invStd, runMean, runVar, stats *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormFinish"
	engine.CheckBackend(op, be, mean, invStd, runMean, runVar, stats)
	engine.CheckBatchNormFinish(op, p, mean, invStd, runMean, runVar, stats)
	BatchNormFinish(data(mean), data(invStd), data(runMean), data(runVar), data(stats), p.C, p.N*p.HW, p.Eps, p.Momentum)
}

// BatchNormInvStd implements engine.Backend.
func (be *Backend) BatchNormInvStd(invStd, runVar *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormInvStd"
	engine.CheckBackend(op, be, invStd, runVar)
	engine.CheckBatchNormInvStd(op, p, invStd, runVar)
	BatchNormInvStd(data(invStd), data(runVar), p.Eps)
}

// BatchNormBackwardFinish implements engine.Backend.
func (be *Backend) BatchNormBackwardFinish(dgamma, dbeta, means, sums *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormBackwardFinish"
	engine.CheckBackend(op, be, dgamma, dbeta, means, sums)
	engine.CheckBatchNormBackwardFinish(op, p, dgamma, dbeta, means, sums)
	BatchNormBackwardFinish(data(dgamma), data(dbeta), data(means), data(sums), p.C, p.N*p.HW)
}
