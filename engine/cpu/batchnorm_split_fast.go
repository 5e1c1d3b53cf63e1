package cpu

// Fast kernels behind the Backend methods of batch norm in parts (the
// references in batchnorm_split.go are the spec), with the planes of
// batchnorm_fast.go: per (group, channel) unit k = g*c + ch over the
// group's rows [g*n/groups, (g+1)*n/groups), shifted single-pass float64
// statistics, float64 backward sums, float32 elementwise passes with
// branch-free ReLU masks. Each unit is computed by one goroutine in a fixed
// order, so results do not depend on the thread count.

// bnStatsFast is BatchNormStats for units [lo, hi).
func bnStatsFast(lo, hi int, stats, x []float32, groups, n, c, hw int) {
	ng := n / groups
	m := float64(ng * hw)
	for k := lo; k < hi; k++ {
		g, ch := k/c, k%c
		shift := float64(x[(g*ng*c+ch)*hw]) // the unit's first value
		var s, q float64
		for i := g * ng; i < (g+1)*ng; i++ {
			off := (i*c + ch) * hw
			ps, pq := bnPlaneStats(x[off:off+hw], shift)
			s += ps
			q += pq
		}
		dm := s / m
		stats[2*k], stats[2*k+1] = float32(shift+dm), float32(max(q-s*dm, 0))
	}
}

// bnApplyFast is BatchNormApply for units [lo, hi).
func bnApplyFast(lo, hi int, y, x, gamma, beta, mean, invStd []float32, groups, n, c, hw int, relu bool) {
	ng := n / groups
	for k := lo; k < hi; k++ {
		g, ch := k/c, k%c
		scale, shift := bnAffine(gamma, beta, ch, float64(mean[k]), float64(invStd[k]))
		for i := g * ng; i < (g+1)*ng; i++ {
			off := (i*c + ch) * hw
			bnApplyPlane(y[off:off+hw], x[off:off+hw], scale, shift, relu)
		}
	}
}

// bnBackSumsFast is BatchNormBackwardSums for units [lo, hi); y is nil
// unless relu.
func bnBackSumsFast(lo, hi int, sums, dy, x, y, mean, invStd []float32, groups, n, c, hw int) {
	ng := n / groups
	for k := lo; k < hi; k++ {
		g, ch := k/c, k%c
		mu := float64(mean[k])
		var sg, sgd float64
		for i := g * ng; i < (g+1)*ng; i++ {
			off := (i*c + ch) * hw
			a, b := bnBackPlaneSums(dy[off:off+hw], x[off:off+hw], plane(y, off, hw), mu)
			sg += a
			sgd += b
		}
		sums[2*k], sums[2*k+1] = float32(sg), float32(sgd*float64(invStd[k]))
	}
}

// bnBackApplyFast is BatchNormBackwardApply for units [lo, hi):
// dx = a*g - b*(x - mean) - cc with a = gamma*invStd,
// b = gamma*invStd^2*mean(g*xhat), cc = gamma*invStd*mean(g); y is nil
// unless relu.
func bnBackApplyFast(lo, hi int, dx, dy, x, y, gamma, mean, invStd, means []float32, groups, n, c, hw int) {
	ng := n / groups
	for k := lo; k < hi; k++ {
		g, ch := k/c, k%c
		is := float64(invStd[k])
		gm := gammaAt(gamma, ch)
		a, b, cc := float32(gm*is), float32(gm*is*is*float64(means[2*k+1])), float32(gm*is*float64(means[2*k]))
		mf := mean[k]
		for i := g * ng; i < (g+1)*ng; i++ {
			off := (i*c + ch) * hw
			bnDxPlane(dx[off:off+hw], dy[off:off+hw], x[off:off+hw], plane(y, off, hw), a, b, cc, mf)
		}
	}
}
