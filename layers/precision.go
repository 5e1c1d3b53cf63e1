package layers

import (
	"fmt"

	"simclr-vk/engine"
)

// Precision is where a model's activations and activation gradients are
// stored: PrecisionFP32 (float32 everywhere, the default) or
// PrecisionMixed (float16 activations and activation gradients, float32
// master weights, statistics, loss and optimizer; see the package doc's
// "Mixed precision" for the rounding points). It is a per-model option
// (Model.SetPrecision), never a global.
type Precision int

const (
	// PrecisionFP32 stores everything in float32 (the zero value).
	PrecisionFP32 Precision = iota
	// PrecisionMixed rounds every stored activation and activation
	// gradient to float16 (float16 tensors where the backend stores them,
	// else float32 tensors rounded in place: MixedStorage) and the
	// matrix-product weights to float16 as the cooperative-matrix path
	// does.
	PrecisionMixed
)

// String is the flag spelling: "fp32" or "mixed".
func (p Precision) String() string {
	if p == PrecisionMixed {
		return "mixed"
	}
	return "fp32"
}

// ParsePrecision parses "fp32" or "mixed" (the resolved forms of the
// commands' --precision; "auto" is resolved by the caller).
func ParsePrecision(s string) (Precision, error) {
	if s == "" {
		return PrecisionFP32, nil
	}
	for _, p := range []Precision{PrecisionFP32, PrecisionMixed} {
		if s == p.String() {
			return p, nil
		}
	}
	return 0, fmt.Errorf("precision %q: want fp32 or mixed", s)
}

// SetPrecision selects the precision of the model's later steps, losses,
// projections and features. With PrecisionMixed the backward pass's
// activation gradients are scaled by the loss scale (SetLossScale).
func (m *Model) SetPrecision(p Precision) {
	m.tape.mixed = p == PrecisionMixed
	m.tape.setStorage()
}

// MixedStorage is how PrecisionMixed holds its float16 values (a per-model
// option, Model.SetMixedStorage). Both give the same values bit for bit
// on the CPU backend: they round at the same points (the package doc's
// "Mixed precision"), once each.
type MixedStorage int

const (
	// MixedStorageAuto (the zero value) is MixedStorageFloat16 where the
	// backend packs float16 tensors in half float32's memory
	// (engine.Float16Packed: a Vulkan device with 16-bit storage), and
	// MixedStorageRound elsewhere (the CPU backend, whose float16 tensors
	// are float32 memory: there the in-place rounding is the same bits,
	// faster and smaller).
	MixedStorageAuto MixedStorage = iota
	// MixedStorageRound keeps every value in a float32 tensor and rounds
	// it in place with Backend.RoundFloat16 at each rounding point (the
	// emulation, on every backend).
	MixedStorageRound
	// MixedStorageFloat16 stores activations and activation gradients as
	// engine.Float16 tensors wherever the backend is an
	// engine.Float16Storer with float16 storage (engine.Float16Support),
	// written by ops that round their outputs, the CPU backend included
	// (its reference for the Vulkan float16 kernels); elsewhere it is
	// MixedStorageRound.
	MixedStorageFloat16
)

// SetMixedStorage selects how later mixed-precision steps store their
// float16 values (MixedStorageAuto by default).
func (m *Model) SetMixedStorage(s MixedStorage) {
	m.tape.storage = s
	m.tape.setStorage()
}

// Float16Stored reports whether the model's mixed-precision values are
// engine.Float16 tensors (PrecisionMixed, and MixedStorageAuto on a
// backend that packs float16 or MixedStorageFloat16 on one that stores
// it), not float32 tensors rounded in place.
func (m *Model) Float16Stored() bool { return m.tape.f16 }

// setStorage sets t.f16 from the precision, the storage option and the
// backend.
func (t *Tape) setStorage() {
	switch t.storage {
	case MixedStorageAuto:
		t.f16 = t.mixed && engine.Float16Packed(t.b)
	case MixedStorageFloat16:
		t.f16 = t.mixed && engine.Float16Support(t.b) == nil
	default:
		t.f16 = false
	}
}

// actDType is the dtype of activations and activation gradients.
func (t *Tape) actDType() engine.DType {
	if t.f16 {
		return engine.Float16
	}
	return engine.Float32
}

// Precision is the model's precision (SetPrecision).
func (m *Model) Precision() Precision {
	if m.tape.mixed {
		return PrecisionMixed
	}
	return PrecisionFP32
}

// SetLossScale sets the factor by which the gradient of the head's output
// is multiplied where it leaves the float32 loss region (the L2
// normalisation's backward) in mixed precision, so that small activation
// gradients survive float16; every Param.Grad after Step is then scale
// times the true gradient (UnscaleGrads divides it back). 0 or 1: no
// scaling. It has no effect in PrecisionFP32.
func (m *Model) SetLossScale(scale float32) { m.tape.lossScale = scale }

// UnscaleGrads multiplies every Param.Grad by 1/scale (exact for a power
// of two, as LossScaler's scales are).
func (m *Model) UnscaleGrads(scale float32) { UnscaleGrads(m.b, m.params, scale) }

// UnscaleGrads multiplies the Grad of every parameter of ps by 1/scale
// (Model.UnscaleGrads for parameters of a tape of one's own, such as a
// classifier's); 0 or 1: nothing to do.
func UnscaleGrads(b engine.Backend, ps []*Param, scale float32) {
	if scale == 0 || scale == 1 {
		return
	}
	for _, p := range ps {
		b.Scale(p.Grad, p.Grad, 1/scale)
	}
}

// SetPrecisionOf makes t round as m's own tape does: m's precision
// (SetPrecision) and mixed storage (SetMixedStorage; float16 tensors where
// m's values are float16 tensors, on t's backend, which must be m's). It
// is for callers that run m's modules on tapes of their own, as
// fine-tuning does (simclr/eval). The loss scale is not copied: t's is
// Tape.SetLossScale's.
func (t *Tape) SetPrecisionOf(m *Model) {
	if t.b != m.b {
		panic("layers: SetPrecisionOf: the tape and the model are on different backends")
	}
	t.mixed, t.storage = m.tape.mixed, m.tape.storage
	t.setStorage()
}

// Precision is the tape's precision (PrecisionFP32 for a NewTape,
// SetPrecisionOf's model's after it).
func (t *Tape) Precision() Precision {
	if t.mixed {
		return PrecisionMixed
	}
	return PrecisionFP32
}

// SetLossScale is Model.SetLossScale for a tape of one's own: in mixed
// precision LossLinear's backward multiplies the loss's gradient by scale
// (0 or 1: no scaling), so every gradient after it is scale times the
// true one (UnscaleGrads divides the parameters' back).
func (t *Tape) SetLossScale(scale float32) { t.lossScale = scale }

// ImageInput is Input for the images an encoder reads first, rounded as
// the model's steps round them (the package doc's rounding point 1): in
// mixed precision a pooled float16 copy (x is left alone), else x itself.
func (t *Tape) ImageInput(x *engine.Tensor) *Var { return t.halfInput(t.Input(x)) }

// half rounds x in place to float16 values in mixed precision (the
// backend's RoundFloat16: one pass, no temporary); a no-op in float32 and
// on a float16 tensor (the op that wrote it rounded its values).
func (t *Tape) half(x *engine.Tensor) {
	if t.mixed && x.DType() == engine.Float32 {
		t.b.RoundFloat16(x)
	}
}

// halfWeight is the weight a matrix product reads: w's float32 master
// itself, or in mixed precision a pooled float16 copy of it (rounded as
// the cooperative-matrix path rounds its inputs), returned also in
// scratch so that the op's entry gives it back to the pool after its
// backward (or at once when nothing is recorded).
func (t *Tape) halfWeight(w *Param) (use *engine.Tensor, scratch []*engine.Tensor) {
	if !t.mixed {
		return w.Value, nil
	}
	c := t.pool.Get(w.Shape()...)
	t.b.Copy(c, w.Value)
	t.half(c)
	return c, []*engine.Tensor{c}
}

// halfInput is the model's input in mixed precision: a pooled float16
// copy of the caller's images (which are left alone), needing no
// gradient; x itself in float32.
func (t *Tape) halfInput(x *Var) *Var {
	if !t.mixed || x.owned {
		return x
	}
	v := t.newVar(x.Shape...)
	v.requiresGrad = false
	t.b.Copy(v.Value, x.Value)
	t.half(v.Value)
	return v
}

// scaleLoss multiplies the gradient dx leaving the float32 loss region
// by the loss scale (mixed precision only).
func (t *Tape) scaleLoss(dx *engine.Tensor) {
	if t.mixed && t.lossScale != 0 && t.lossScale != 1 {
		t.b.Scale(dx, dx, t.lossScale)
	}
}

// float32Of is x's values in a float32 tensor, for an op that reads
// float32 only: x itself, or a float32 copy of a float16 x (exact); done
// releases the copy. The copies are allocated and released at once, not
// pooled: a pool would hold one per size between steps, as much memory as
// a float32 activation of each size (when the fused batch norm took such
// copies, two to four of each size: most of what float16 storage saves;
// see docs/mixed-precision.md). Its users now: the L2 normalisation and
// the biased convolutions and linear layers.
func (t *Tape) float32Of(x *engine.Tensor) (x32 *engine.Tensor, done func()) {
	if x == nil || x.DType() == engine.Float32 {
		return x, func() {}
	}
	c := t.b.New(x.Shape()...)
	t.b.Copy(c, x)
	return c, c.Release
}

// float32Out is where an op that writes float32 only writes dst's values:
// dst itself, or for a float16 dst a float32 tensor that done copies into
// dst (rounding each value once, as RoundFloat16 would) and releases (not
// pooled, as float32Of's).
func (t *Tape) float32Out(dst *engine.Tensor) (y32 *engine.Tensor, done func()) {
	if dst.DType() == engine.Float32 {
		return dst, func() {}
	}
	c := t.b.New(dst.Shape()...)
	return c, func() {
		t.b.Copy(dst, c)
		c.Release()
	}
}
