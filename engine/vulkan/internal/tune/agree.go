package tune

import (
	"fmt"
	"math"
	"time"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// The autotuners' agreement check. Before a candidate kernel can win a
// GEMM class or a convolution problem, its output on the timed problem is
// compared with the output of the register-blocked float32 kernel on the
// same inputs (the reference: the simplest kernel, no shared memory, no
// barriers, the one every device has run since the first version; the
// table's choice may itself be a variant no GPU has run): the largest
// difference must stay within AgreeTol (AgreeTolCoopMat for
// cooperative-matrix candidates, whose inputs are rounded to float16) of
// the reference's largest magnitude, and must not be NaN. A kernel that a
// driver miscompiles, or a variant wrong on a device nobody tested, is
// thus dropped with a note instead of being picked because it is fast.
// Both maxima are computed on the device (absmax.comp, absmax_diff.comp);
// two words are read back per candidate.

const (
	// AgreeTol bounds a float32 candidate's largest difference from
	// the reference relative to the reference's largest magnitude. The
	// kernels differ only in summation order (and Winograd's transforms,
	// whose F(4x4,3x3) error is about 1e-5 of the largest output at
	// ResNet sizes), so 1e-3 leaves a wide margin and still catches a
	// wrong tile, edge or padding (errors of the order of the values).
	AgreeTol = 1e-3
	// AgreeTolCoopMat is the bound for cooperative-matrix candidates:
	// float16 inputs (11 significant bits) against float32 ones.
	AgreeTolCoopMat = 3e-2
)

// Ref holds the reference output of a tuned problem.
type Ref struct {
	ref    *engine.Tensor // nil when its copy did not fit in memory
	maxRef float32        // largest |ref|; NaN or Inf: nothing can be judged
	why    string         // why nothing can be judged, for the note
}

// NewRef copies out (the reference kernel's output, recorded) into a
// reference tensor and measures its largest magnitude. Where the copy
// does not fit in memory the reference judges nothing (the device stays
// usable: the copy is optional); err is a device error.
func NewRef(rt *vkrt.Device, out *engine.Tensor, copy func(dst, src *engine.Tensor)) (*Ref, error) {
	ref, err := rt.TryNewScratch(out.Numel())
	if err != nil {
		return &Ref{maxRef: float32(math.NaN()), why: "no memory for the reference copy: " + err.Error()}, nil
	}
	r := &Ref{ref: ref, why: "the reference kernel's output holds NaN or Inf"}
	copy(r.ref, out)
	m := rt.New(1)
	defer m.Release()
	AbsMax(rt, m, 0, r.ref)
	v, err := readBits(rt, m)
	if err != nil {
		r.Release()
		return nil, err
	}
	r.maxRef = v[0]
	return r, nil
}

func (r *Ref) Release() {
	if r.ref != nil {
		r.ref.Release()
	}
}

// Judgeable reports whether the reference can judge candidates: a
// reference with NaN or Inf (inputs that already overflowed), or none,
// cannot.
func (r *Ref) Judgeable() bool {
	return !math.IsNaN(float64(r.maxRef)) && !math.IsInf(float64(r.maxRef), 0)
}

// Why says why the reference cannot judge candidates ("" when it can).
func (r *Ref) Why() string {
	if r.Judgeable() {
		return ""
	}
	return r.why
}

// CheckAgainst compares out (a candidate's output, recorded) with the
// reference: nil when the candidate agrees within tol or the reference
// cannot judge (Judgeable; the caller noted why), else an error saying by
// how much it differs.
func CheckAgainst(rt *vkrt.Device, r *Ref, out *engine.Tensor, tol float64) error {
	if !r.Judgeable() {
		return nil
	}
	m := rt.New(1)
	defer m.Release()
	AbsMaxDiff(rt, m, 0, out, r.ref)
	v, err := readBits(rt, m)
	if err != nil {
		return err
	}
	return agreement(v[0], r.maxRef, tol)
}

// agreement is the rule of CheckAgainst on the two maxima.
func agreement(maxDiff, maxRef float32, tol float64) error {
	bound := tol * float64(maxRef)
	if math.IsNaN(float64(maxDiff)) || float64(maxDiff) > bound {
		return fmt.Errorf("its output differs from the register-blocked reference's by up to %.3g (largest |value| %.3g, allowed %.3g)",
			maxDiff, maxRef, bound)
	}
	return nil
}

// AbsMax records M[slot] = max(M[slot], bits of max |x|) (absmax.comp).
func AbsMax(rt *vkrt.Device, m *engine.Tensor, slot int, x *engine.Tensor) {
	n := x.Numel()
	rt.Dispatch(vkrt.Kernel{
		Shader: "absmax",
		Push:   &PushAbsMax{uint32(n), uint32(slot)},
		Groups: [3]int{min(vkrt.CeilDiv(n, 256), 1024), 1, 1},
		Args:   []vkrt.Arg{vkrt.InOut(m), vkrt.In(x)},
	})
}

// AbsMaxDiff records M[slot] = max(M[slot], bits of max |x - y|)
// (absmax_diff.comp).
func AbsMaxDiff(rt *vkrt.Device, m *engine.Tensor, slot int, x, y *engine.Tensor) {
	n := x.Numel()
	if y.Numel() != n {
		panic(fmt.Sprintf("engine/vulkan: absMaxDiff: %d and %d values", n, y.Numel()))
	}
	rt.Dispatch(vkrt.Kernel{
		Shader: "absmax_diff",
		Push:   &PushAbsMax{uint32(n), uint32(slot)},
		Groups: [3]int{min(vkrt.CeilDiv(n, 256), 1024), 1, 1},
		Args:   []vkrt.Arg{vkrt.InOut(m), vkrt.In(x), vkrt.In(y)},
	})
}

// readBits downloads m (words written by absmax / absmax_diff as float
// bits) as the floats they encode.
func readBits(rt *vkrt.Device, m *engine.Tensor) ([]float32, error) {
	v := make([]float32, m.Numel())
	if err := rt.Download(m, v); err != nil {
		return nil, err
	}
	return v, nil
}

// absMaxDiffBits is absmax_diff.comp's reference: the largest |x[i] -
// y[i]| as float32 bits (NaN bit patterns above +Inf).
func absMaxDiffBits(x, y []float32) uint32 {
	var m uint32
	for i := range x {
		m = max(m, math.Float32bits(x[i]-y[i])&0x7fffffff)
	}
	return m
}

// Setup starts a measurement: the reference from out (which the
// caller has just recorded with the reference kernel) and the timer (wall:
// see NewTimer); what names the problem in notes ("gemm autotune of
// class small").
func (s *Service) Setup(rt *vkrt.Device, what string, out *engine.Tensor, wall bool, copy func(dst, src *engine.Tensor)) (*Ref, *Timer, error) {
	ref, err := NewRef(rt, out, copy)
	if err != nil {
		return nil, nil, err
	}
	if !ref.Judgeable() {
		s.Notef("%s: candidates not checked: %s", what, ref.why)
	}
	tm, err := NewTimer(rt, wall)
	if err != nil {
		ref.Release()
		return nil, nil, err
	}
	return ref, tm, nil
}

// TimeChecked times a candidate (record writes out) and checks its output
// against ref within tol: the median time and ok, or ok false for a
// candidate that disagrees (recorded in *rejected with how, and noted);
// err is a device error.
func (s *Service) TimeChecked(rt *vkrt.Device, what, name string, tm *Timer, ref *Ref, out *engine.Tensor, tol float64,
	rejected *map[string]string, record func()) (med time.Duration, ok bool, err error) {
	med, err = tm.Median(record)
	if err != nil {
		return 0, false, err
	}
	if s.Corrupt != nil {
		s.Corrupt(name, out)
	}
	if err := CheckAgainst(rt, ref, out, tol); err != nil {
		if rt.Err() != nil {
			return 0, false, err
		}
		if *rejected == nil {
			*rejected = map[string]string{}
		}
		(*rejected)[name] = err.Error()
		s.Notef("%s: rejecting %s: %v", what, name, err)
		return med, false, nil
	}
	return med, true, nil
}

// PushAbsMax mirrors `{ uint n, slot; }` of absmax.comp and absmax_diff.comp.
type PushAbsMax struct {
	N, Slot uint32
}

// Shaders is the agreement check's kernel table (package vulkan's
// TestPushConstants checks it against the GLSL).
var Shaders = map[string]any{"absmax": PushAbsMax{}, "absmax_diff": PushAbsMax{}}
