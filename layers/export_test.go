package layers

import (
	"math"

	"simclr-vk/engine"
)

// SetLocalSliceGatherBackward makes m's gathered NT-Xent keep, for this
// rank's rows, only the gradient of the loss of its OWN anchors (the
// all-gather's backward as a slice of the local gradient instead of a sum
// over the ranks: the lightly #1528 / VISSL #123 bug). The distributed
// tests must fail with it.
func SetLocalSliceGatherBackward(m *Model) { m.gatherBackward = localSliceGatherBackward }

// localSliceGatherBackward is the buggy dz (2n, d) of rank r: the gradient
// of L_r = 1/(2N) sum over r's anchor rows i of
// -log(exp(s_i,pos(i)) / sum_{k != i} exp(s_ik)), s = z z^T / tau,
// with respect to r's rows only, in float64 row by row (no 2N x 2N matrix).
func localSliceGatherBackward(z []float32, tau float32, r, n, world int) []float32 {
	bigN := n * world
	rows := 2 * bigN
	d := len(z) / rows
	own := func(v, i int) int { return v*bigN + r*n + i } // global row of local row v*n+i
	local := map[int]int{}
	for v := 0; v < 2; v++ {
		for i := 0; i < n; i++ {
			local[own(v, i)] = v*n + i
		}
	}
	dz := make([]float64, 2*n*d)
	p := make([]float64, rows)
	dot := func(a, b int) float64 {
		s := 0.0
		for j := 0; j < d; j++ {
			s += float64(z[a*d+j]) * float64(z[b*d+j])
		}
		return s / float64(tau)
	}
	scale := 1 / (float64(rows) * float64(tau))
	for a, la := range local {
		pos := (a + bigN) % rows
		mx := math.Inf(-1)
		for k := 0; k < rows; k++ {
			if k != a {
				p[k] = dot(a, k)
				mx = math.Max(mx, p[k])
			}
		}
		sum := 0.0
		for k := 0; k < rows; k++ {
			if k != a {
				p[k] = math.Exp(p[k] - mx)
				sum += p[k]
			}
		}
		for k := 0; k < rows; k++ {
			if k == a {
				continue
			}
			c := p[k] / sum
			if k == pos {
				c--
			}
			// d s_ak / d z_a = z_k / tau, d s_ak / d z_k = z_a / tau.
			for j := 0; j < d; j++ {
				dz[la*d+j] += scale * c * float64(z[k*d+j])
			}
			if lk, ok := local[k]; ok {
				for j := 0; j < d; j++ {
					dz[lk*d+j] += scale * c * float64(z[a*d+j])
				}
			}
		}
	}
	out := make([]float32, len(dz))
	for i, v := range dz {
		out[i] = float32(v)
	}
	return out
}

// SetChunkZHook makes m's chunked steps call f with each chunk's z rows
// from the first pass and from the recorded second forward.
func SetChunkZHook(m *Model, f func(k int, first, again []float32)) { m.chunkZ = f }

// SetNet makes m's steps run net (e.g. a network without batch norm)
// instead of its encoder and head, with net's parameters.
func SetNet(m *Model, net Module) {
	m.net = net
	m.params = Params(net)
}

// OverlapBug is a bug planted in the overlapped gradient all-reduce
// (SetOverlapBug): the overlap tests must catch each.
type OverlapBug int

const (
	// OverlapFirstWrite starts a parameter's bucket after the first
	// gradient written into it in the backward pass (the backward of its
	// last use in the forward) instead of the last: wrong for a
	// parameter used twice.
	OverlapFirstWrite OverlapBug = iota + 1
	// OverlapEveryChunk starts the buckets in the first chunk's backward
	// pass of a chunked step, before the later chunks have added theirs.
	OverlapEveryChunk
)

// SetOverlapBug plants bug in m's overlapped gradient all-reduce.
func SetOverlapBug(m *Model, bug OverlapBug) {
	m.tape.par.firstWrite = bug == OverlapFirstWrite
	m.tape.par.everyChunk = bug == OverlapEveryChunk
}

// SetInspect makes m's tape call f with every recorded op's output value
// (grad false) as the op is pushed and with its gradient (grad true)
// before its backward runs; f32 marks the values mixed precision keeps in
// float32.
func SetInspect(m *Model, f func(op string, grad, f32 bool, x *engine.Tensor)) {
	m.tape.inspect = func(op string, grad bool, v *Var) {
		x := v.Value
		if grad {
			x = v.Grad
		}
		f(op, grad, v.f32, x)
	}
}

// SetTapeMixed switches a tape to mixed precision (Model.SetPrecision
// for a bare tape).
func SetTapeMixed(t *Tape, lossScale float32) { t.mixed, t.lossScale = true, lossScale }
