package layers

import (
	"fmt"
	"slices"

	"simclr-vk/engine"
)

// Var is a value flowing through the graph: a device tensor with its logical
// shape and, during backward, its gradient.
type Var struct {
	Value *engine.Tensor
	Shape []int
	Grad  *engine.Tensor // accumulated gradient, nil until some consumer wrote one

	requiresGrad bool
	owned        bool // Value belongs to the tape's pool (false for inputs)
	saves        int  // backward entries that still need Value
	pins         int  // forward consumers still to come (see pin)
	// f32 marks a value kept in float32 in mixed precision (the L2
	// normalisation's output, which only the float32 loss reads): its
	// gradient is not rounded to float16.
	f32 bool
	// half: Value and Grad are engine.Float16 tensors (mixed precision on
	// a backend with float16 storage, Tape.f16).
	half bool
}

// Numel is the number of elements of the value.
func (v *Var) Numel() int { return numel(v.Shape) }

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// entry is one recorded op: backward reads out.Grad and writes (or
// accumulates) the gradients of its inputs and parameters.
type entry struct {
	op      string
	out     *Var
	saved   []*Var           // inputs whose values backward reads
	scratch []*engine.Tensor // op-private saved tensors (BN statistics, argmax)
	// params are the parameters whose gradients backward writes (nil
	// entries allowed: an absent bias): Backward knows from them when a
	// parameter's gradient is final (see gradFinal); paramGradDst checks
	// that backward writes no other.
	params   []*Param
	backward func(dy *engine.Tensor)
}

// Tape records the ops of one forward pass and replays them in reverse to
// compute gradients (reverse-mode autodiff). See the package doc.
type Tape struct {
	b      engine.Backend
	pool   *Pool
	train  bool     // BatchNorm uses batch statistics and updates running stats
	record bool     // keep entries for Backward
	par    parallel // data-parallel BN (Model.SetParallel)
	// frozenStats (pass 1 of a chunked step): training-mode BN normalises
	// with the batch statistics but leaves the running statistics and
	// num_batches_tracked alone, so that the kept forward of the chunk
	// updates them once.
	frozenStats bool
	// accumulate (the chunks after the first of a chunked step): Backward
	// adds every parameter gradient to Param.Grad instead of overwriting
	// it, and zeroes nothing.
	accumulate bool
	entries    []entry
	vars       []*Var
	touched    map[*Param]bool
	// running is the entry whose backward runs (nil outside Backward).
	running *entry
	// flops counts the multiply-add FLOPs (x2) of the convolutions and
	// linear layers run forward since the last Reset.
	flops, lastFlops float64
	// mixed (Model.SetPrecision): activations and activation gradients
	// rounded to float16 at the points the package doc lists; lossScale
	// multiplies the gradient entering the network from the loss.
	mixed     bool
	lossScale float32
	// f16 (mixed precision with float16 tensors: Tape.setStorage):
	// activations and
	// activation gradients are float16 tensors written by ops that round
	// their outputs, instead of float32 tensors rounded by RoundFloat16.
	f16     bool
	storage MixedStorage
	// inspect, when set (tests only: export_test.go), sees every
	// recorded op's output value as the op is pushed, and its gradient
	// before its backward runs.
	inspect func(op string, grad bool, v *Var)
}

// NewTape returns a tape allocating its values from pool. train selects the
// BatchNorm mode; record keeps what Backward needs (false for inference).
func NewTape(b engine.Backend, pool *Pool, train, record bool) *Tape {
	return &Tape{b: b, pool: pool, train: train, record: record, touched: map[*Param]bool{}}
}

// LastFlops is the forward FLOP count (2 x multiply-adds of convolutions
// and linear layers) of the pass before the last Reset or Backward.
func (t *Tape) LastFlops() float64 { return t.lastFlops }

// Backend is the tape's backend.
func (t *Tape) Backend() engine.Backend { return t.b }

// Training reports whether BatchNorm runs in training mode.
func (t *Tape) Training() bool { return t.train }

// Input wraps a caller-owned tensor (never released by the tape) whose
// gradient is not needed.
func (t *Tape) Input(x *engine.Tensor, shape ...int) *Var {
	if len(shape) == 0 {
		shape = x.Shape()
	}
	if !engine.SameShape(shape, x.Shape()) {
		x = x.Reshape(shape...) // panics on a numel mismatch
	}
	return &Var{Value: x, Shape: append([]int(nil), shape...)}
}

// newVar allocates an op output (an activation: float16 with t.f16) from
// the pool.
func (t *Tape) newVar(shape ...int) *Var { return t.newVarOf(t.actDType(), shape...) }

// newVarOf is newVar for a value of dtype dt.
func (t *Tape) newVarOf(dt engine.DType, shape ...int) *Var {
	v := &Var{Value: t.pool.GetOf(dt, shape...), Shape: append([]int(nil), shape...), requiresGrad: t.record, owned: true, half: dt == engine.Float16}
	t.vars = append(t.vars, v)
	return v
}

// push records an op. saved vars stay alive until its backward has run.
func (t *Tape) push(e entry) {
	if !t.record {
		for _, s := range e.scratch {
			t.pool.Put(s)
		}
		return
	}
	for _, v := range e.saved {
		v.saves++
	}
	if t.inspect != nil {
		t.inspect(e.op, false, e.out)
	}
	t.entries = append(t.entries, e)
}

// consumed is called by every op after its forward with the inputs it read.
// When nothing is recorded (inference), an input that no later op needs
// (not pinned) goes back to the pool at once, so eval-mode memory is a few
// activations, not the whole network's.
func (t *Tape) consumed(vs ...*Var) {
	if t.record {
		return
	}
	for _, v := range vs {
		if v.owned && v.pins == 0 && v.Value != nil {
			t.pool.Put(v.Value)
			v.Value = nil
		}
	}
}

// pin marks v as needed by a later op (a residual block's input, read by
// the branch and then by the shortcut); unpin undoes it.
func (t *Tape) pin(v *Var)   { v.pins++ }
func (t *Tape) unpin(v *Var) { v.pins-- }

// gradDst returns the tensor into which a backward op must write its
// contribution to v's gradient, and a function to call once it is written:
// the first contribution goes straight into v.Grad, later ones (a value used
// by several consumers, as in residual blocks) go to a temporary that is
// added in. In mixed precision every contribution and the sum are
// rounded to float16 (but for an f32 value's): by RoundFloat16 in float32
// tensors, or, for a half value, by the ops that write its float16
// gradient tensors (Add included).
func (t *Tape) gradDst(v *Var) (*engine.Tensor, func()) {
	round := t.mixed && !v.f32 && !v.half // activation gradients are stored in float16
	dt := engine.Float32
	if v.half {
		dt = engine.Float16
	}
	if v.Grad == nil {
		v.Grad = t.pool.GetOf(dt, v.Shape...)
		if !round {
			return v.Grad, func() {}
		}
		return v.Grad, func() { t.half(v.Grad) }
	}
	tmp := t.pool.GetOf(dt, v.Shape...)
	return tmp, func() {
		if round {
			t.half(tmp)
		}
		t.b.Add(v.Grad, v.Grad, tmp)
		if round {
			t.half(v.Grad)
		}
		t.pool.Put(tmp)
	}
}

// gradInto is a backward op's write of its contribution to v's gradient,
// when v needs one: write fills the tensor gradDst gives, which is then
// added in (gradDst's done).
func (t *Tape) gradInto(v *Var, write func(dv *engine.Tensor)) {
	if !v.requiresGrad {
		return
	}
	dv, done := t.gradDst(v)
	write(dv)
	done()
}

// paramGradInto is gradInto for a parameter (paramGradDst); a nil p (a
// layer built without it, as a bias-free Conv2d) is skipped.
func (t *Tape) paramGradInto(p *Param, write func(dp *engine.Tensor)) {
	if p == nil {
		return
	}
	dp, done := t.paramGradDst(p)
	write(dp)
	done()
}

// paramGradDst is gradDst for a parameter: the first use in a pass
// overwrites p.Grad, later uses accumulate (every use, with t.accumulate).
func (t *Tape) paramGradDst(p *Param) (*engine.Tensor, func()) {
	if t.running != nil && !slices.Contains(t.running.params, p) {
		panic(fmt.Sprintf("layers: %s's backward writes the gradient of %s, which it does not list in entry.params", t.running.op, p.Name))
	}
	if !t.touched[p] && !t.accumulate {
		t.touched[p] = true
		return p.Grad, func() {}
	}
	tmp := t.pool.Get(p.Shape()...)
	return tmp, func() {
		t.b.Add(p.Grad, p.Grad, tmp)
		t.pool.Put(tmp)
	}
}

// Seed sets the gradient of v (for tests and custom losses): dv is copied.
func (t *Tape) Seed(v *Var, dv *engine.Tensor) {
	dst, done := t.gradDst(v)
	t.b.Copy(dst, dv)
	done()
}

// Backward runs the recorded ops in reverse. Every op whose output received
// a gradient propagates it; activations and gradients are returned to the
// pool as soon as no remaining op needs them. Parameters in params that got
// no gradient in this pass have their Grad zeroed, so after Backward every
// Param.Grad holds this pass's gradient (with t.accumulate: Param.Grad
// plus this pass's gradient). The tape is reset afterwards. When the
// data-parallel step overlaps its gradient all-reduce with this pass
// (parallel.overlapped), each parameter of params that an entry lists is
// handed to the all-reduce (gradSync.gradFinal) right after the last entry
// writing its gradient has run (that of its first use in the forward
// pass); the others (no gradient in this pass) are final when Backward
// returns.
func (t *Tape) Backward(params []*Param) {
	// Values nobody saved are dead now.
	for _, v := range t.vars {
		if v.owned && v.saves == 0 && v.Value != nil {
			t.pool.Put(v.Value)
			v.Value = nil
		}
	}
	var last map[*Param]int
	g := t.par.overlapped()
	if g != nil {
		g.plan(params)
		last = t.finalAt(params, t.par.firstWrite)
	}
	for i := len(t.entries) - 1; i >= 0; i-- {
		e := &t.entries[i]
		if e.out.Grad != nil {
			if t.inspect != nil {
				t.inspect(e.op, true, e.out)
			}
			t.running = e
			e.backward(e.out.Grad)
			t.running = nil
		}
		for _, p := range e.params {
			if j, ok := last[p]; ok && j == i {
				if !t.touched[p] && !t.accumulate { // no gradient reached it
					t.b.Fill(p.Grad, 0)
					t.touched[p] = true
				}
				g.gradFinal(p)
			}
		}
		t.drop(*e)
		if e.out.owned {
			t.pool.Put(e.out.Grad)
			e.out.Grad = nil
		}
	}
	t.entries = t.entries[:0]
	for _, p := range params {
		if !t.touched[p] && !t.accumulate {
			t.b.Fill(p.Grad, 0)
		}
	}
	t.Reset()
}

// finalAt maps each parameter of params that some entry lists to the
// index of the entry after whose backward its gradient is final: the
// lowest (Backward runs from the highest), or with early (a test
// mutation) the highest, where a parameter used more than once still has
// gradients to come.
func (t *Tape) finalAt(params []*Param, early bool) map[*Param]int {
	want := make(map[*Param]bool, len(params))
	for _, p := range params {
		want[p] = true
	}
	last := make(map[*Param]int, len(params))
	for i := range t.entries {
		for _, p := range t.entries[i].params {
			if _, seen := last[p]; want[p] && (!seen || early) {
				last[p] = i
			}
		}
	}
	return last
}

// drop releases what an entry held for its backward.
func (t *Tape) drop(e entry) {
	for _, s := range e.scratch {
		t.pool.Put(s)
	}
	for _, v := range e.saved {
		v.saves--
		if v.saves == 0 && v.owned && v.Value != nil {
			t.pool.Put(v.Value)
			v.Value = nil
		}
	}
}

// Reset returns every value, gradient and saved tensor still held to the pool
// and forgets the recorded ops (vars from this tape must not be used after).
func (t *Tape) Reset() {
	for _, e := range t.entries {
		for _, s := range e.scratch {
			t.pool.Put(s)
		}
	}
	for _, v := range t.vars {
		if v.Value != nil {
			t.pool.Put(v.Value)
			v.Value = nil
		}
		if v.Grad != nil {
			t.pool.Put(v.Grad)
			v.Grad = nil
		}
	}
	t.entries = t.entries[:0]
	t.vars = t.vars[:0]
	clear(t.touched)
	t.lastFlops, t.flops = t.flops, 0
}
