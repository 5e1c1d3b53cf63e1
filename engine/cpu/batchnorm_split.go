package cpu

import "simclr-vk/engine"

// Batch normalisation in parts (engine.Backend's BatchNormStats,
// BatchNormApply, BatchNormBackwardSums, BatchNormBackwardApply): the
// reference functions below are the spec; the Backend methods run the fast
// kernels of batchnorm_split_fast.go in parallel over (group, channel)
// units.
// Group g of x (n, c, hw) is rows [g*n/groups, (g+1)*n/groups): a
// contiguous (n/groups, c, hw) array, so every group is handled as a batch
// of its own.

// bnGroup returns group g's rows of a (n, c, hw) array (nil stays nil).
func bnGroup(a []float32, g, ng, c, hw int) []float32 {
	if a == nil {
		return nil
	}
	return a[g*ng*c*hw : (g+1)*ng*c*hw]
}

// BatchNormStats is the reference of engine.Backend.BatchNormStats:
//
//	stats (groups, c, 2) output: [mean, M2 = sum (x-mean)^2] per group and channel
//	x     (n, c, hw), groups divides n
//
// in float64 (two passes, fixed order), rounded to float32 at the end.
func BatchNormStats(stats, x []float32, groups, n, c, hw int) {
	ng := n / groups
	for k := 0; k < groups*c; k++ {
		g, ch := k/c, k%c
		mean, m2 := bnChannelStats(bnGroup(x, g, ng, c, hw), ch, ng, c, hw)
		stats[2*k], stats[2*k+1] = float32(mean), float32(m2)
	}
}

// BatchNormApply is the reference of engine.Backend.BatchNormApply:
//
//	y      (n, c, hw) output: [relu](gamma*(x-mean)*invStd + beta)
//	x      (n, c, hw)
//	gamma  (c) or nil, beta (c) or nil
//	mean   (groups, c), invStd (groups, c): the statistics of the row's group
func BatchNormApply(y, x, gamma, beta, mean, invStd []float32, groups, n, c, hw int, relu bool) {
	ng := n / groups
	for k := 0; k < groups*c; k++ {
		g, ch := k/c, k%c
		scale, shift := bnAffine(gamma, beta, ch, float64(mean[k]), float64(invStd[k]))
		batchNormApply(bnGroup(y, g, ng, c, hw), bnGroup(x, g, ng, c, hw), ch, ng, c, hw, scale, shift, relu)
	}
}

// BatchNormBackwardSums is the reference of
// engine.Backend.BatchNormBackwardSums:
//
//	sums   (groups, c, 2) output: [sum g, sum g*xhat] per group and channel
//	dy, x  (n, c, hw); y (n, c, hw) read only when relu (g = dy where y > 0)
//	mean   (groups, c), invStd (groups, c); xhat = (x-mean)*invStd
//
// in float64 in a fixed order.
func BatchNormBackwardSums(sums, dy, x, y, mean, invStd []float32, groups, n, c, hw int, relu bool) {
	ng := n / groups
	for k := 0; k < groups*c; k++ {
		g, ch := k/c, k%c
		sg, sgx := bnChannelBackSums(bnGroup(dy, g, ng, c, hw), bnGroup(x, g, ng, c, hw), bnGroup(y, g, ng, c, hw),
			ch, ng, c, hw, float64(mean[k]), float64(invStd[k]), relu)
		sums[2*k], sums[2*k+1] = float32(sg), float32(sgx)
	}
}

// BatchNormBackwardApply is the reference of
// engine.Backend.BatchNormBackwardApply:
//
//	dx     (n, c, hw) output: gamma*invStd*(g - means[0] - xhat*means[1])
//	dy, x  (n, c, hw); y read only when relu; gamma (c) or nil
//	mean, invStd (groups, c); means (groups, c, 2) = [mean g, mean g*xhat]
func BatchNormBackwardApply(dx, dy, x, y, gamma, mean, invStd, means []float32, groups, n, c, hw int, relu bool) {
	ng := n / groups
	for k := 0; k < groups*c; k++ {
		g, ch := k/c, k%c
		mu, is := float64(mean[k]), float64(invStd[k])
		mg, mgx := float64(means[2*k]), float64(means[2*k+1])
		k0 := gammaAt(gamma, ch) * is
		for i := g * ng; i < (g+1)*ng; i++ {
			off := (i*c + ch) * hw
			for j := off; j < off+hw; j++ {
				xhat := (float64(x[j]) - mu) * is
				dx[j] = float32(k0 * (bnMaskedGrad(dy, y, j, relu) - mg - xhat*mgx))
			}
		}
	}
}

// bnSplitGrain is bnGrain for (group, channel) units of n/groups rows.
func bnSplitGrain(p engine.BatchNormParams, groups, threads int) int {
	q := p
	q.N, q.C = p.N/groups, p.C*groups
	return bnGrain(q, threads)
}

// BatchNormStats implements engine.Backend (bnStatsFast, parallel over
// (group, channel) units).
func (be *Backend) BatchNormStats(stats, x *engine.Tensor, groups int, p engine.BatchNormParams) {
	const op = "BatchNormStats"
	engine.CheckBackend(op, be, stats, x)
	engine.CheckBatchNormGroupsOf(op, p, groups, x, nil, nil, f32or16...)
	engine.CheckNumel(op, "stats", stats, groups*p.C*2)
	sd, xd := data(stats), data(x)
	parallelGrain(be.threads, groups*p.C, bnSplitGrain(p, groups, be.threads), func(lo, hi int) {
		bnStatsFast(lo, hi, sd, xd, groups, p.N, p.C, p.HW)
	})
}

// BatchNormApply: float16store.go. The parts below take float16 (N, C, HW)
// tensors too (engine.Float16Operands): their values are read exactly, and
// BatchNormBackwardApply rounds a float16 dx.

// checkBNBackParts checks the arguments shared by the two backward parts
// and returns y's data (nil unless p.ReLU).
func (be *Backend) checkBNBackParts(op string, dy, x, y, mean, invStd *engine.Tensor, groups int, p engine.BatchNormParams) []float32 {
	engine.CheckBackend(op, be, dy, x, y, mean, invStd)
	engine.CheckBatchNormBackParts(op, p, groups, dy, x, y, mean, invStd)
	if !p.ReLU {
		return nil
	}
	return data(y)
}

// BatchNormBackwardSums implements engine.Backend.
func (be *Backend) BatchNormBackwardSums(sums, dy, x, y, mean, invStd *engine.Tensor, groups int, p engine.BatchNormParams) {
	const op = "BatchNormBackwardSums"
	engine.CheckBackend(op, be, sums)
	engine.CheckBatchNormGroupsOf(op, p, groups, x, nil, nil, f32or16...)
	yd := be.checkBNBackParts(op, dy, x, y, mean, invStd, groups, p)
	engine.CheckNumel(op, "sums", sums, groups*p.C*2)
	sd, dyd, xd, md, id := data(sums), data(dy), data(x), data(mean), data(invStd)
	parallelGrain(be.threads, groups*p.C, bnSplitGrain(p, groups, be.threads), func(lo, hi int) {
		bnBackSumsFast(lo, hi, sd, dyd, xd, yd, md, id, groups, p.N, p.C, p.HW)
	})
}

// BatchNormBackwardApply implements engine.Backend.
func (be *Backend) BatchNormBackwardApply(dx, dy, x, y, gamma, mean, invStd, means *engine.Tensor, groups int, p engine.BatchNormParams) {
	const op = "BatchNormBackwardApply"
	engine.CheckBackend(op, be, dx, gamma, means)
	engine.CheckBatchNormGroupsOf(op, p, groups, x, gamma, nil, f32or16...)
	yd := be.checkBNBackParts(op, dy, x, y, mean, invStd, groups, p)
	engine.CheckNumelOf(op, "dx", dx, x.Numel(), x.DType())
	engine.CheckNumel(op, "means", means, groups*p.C*2)
	dxd, dyd, xd, gd, md, id, msd := data(dx), data(dy), data(x), data(gamma), data(mean), data(invStd), data(means)
	parallelGrain(be.threads, groups*p.C, bnSplitGrain(p, groups, be.threads), func(lo, hi int) {
		bnBackApplyFast(lo, hi, dxd, dyd, xd, yd, gd, md, id, msd, groups, p.N, p.C, p.HW)
	})
	be.roundOut16(dx) // float16: dx rounded once
}
