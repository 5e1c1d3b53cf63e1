package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DType is how a tensor stores its elements. Every op computes in float32;
// a Float16 tensor holds IEEE binary16 values (RoundFloat16's), which ops
// read exactly and write rounded to nearest, ties to even, from the
// float32 result (Float16Bits), as the mixed-precision emulation of
// layers rounds (layers/doc.go, "Mixed precision"). The host side of
// Upload and Download stays []float32: Upload rounds, Download is exact.
type DType uint8

const (
	Float32 DType = iota // the default: Backend.New
	Float16              // Float16Storer.NewFloat16
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float16:
		return "float16"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// Size is the number of bytes an element takes on a device (Tensor.Bytes).
func (d DType) Size() int {
	if d == Float16 {
		return 2
	}
	return 4
}

// NewTensorOf is NewTensor for a tensor stored as dt, for backends.
func NewTensorOf(b Backend, dt DType, storage any, shape ...int) *Tensor {
	t := NewTensor(b, storage, shape...)
	t.dtype = dt
	return t
}

// DType is how t stores its elements (a view's is its base's).
func (t *Tensor) DType() DType { return t.dtype }

// Float16Storer is implemented by backends that can store tensors as
// float16 (half the memory and memory traffic of float32). Such a backend
// accepts Float16 tensors exactly where Float16Operands says, in every
// combination that op's comment in Backend allows; every other operand of
// every op refuses them (CheckNumel panics).
type Float16Storer interface {
	// Float16Storage is nil when NewFloat16 works, or says why not (a
	// device without 16-bit storage buffers).
	Float16Storage() error
	// NewFloat16 is Backend.New for a zero-filled Float16 tensor. Where
	// Float16Storage fails it returns an unusable tensor and the next
	// Err / Flush / Download returns that error (as out of memory).
	NewFloat16(shape ...int) *Tensor
}

// float16Operands: the Backend ops that take float16 storage, with the
// operands that may be Float16 (see Float16Operands).
var float16Operands = map[string]string{
	"Fill":                   "dst",
	"Copy":                   "dst src",
	"Conv2DForward":          "y x",
	"Conv2DBackwardData":     "dx dy",
	"Conv2DBackwardFilter":   "dy x",
	"Add":                    "dst a b",
	"ReLUForward":            "y x",
	"ReLUBackward":           "dx dy y",
	"AddReLU":                "y a b",
	"BatchNormApply":         "y x",
	"BatchNormStats":         "x",
	"BatchNormBackwardSums":  "dy x y",
	"BatchNormBackwardApply": "dx dy x y",
}

// Float16Operands lists the operands of Backend op that may be stored as
// float16 on a Float16Storer (none for an op that takes float32 only).
// Upload, Download and Release take either dtype. What each op allows:
//   - Fill: dst float32 or float16 (v rounded);
//   - Copy: dst and src each float32 or float16 (a copy between them
//     converts: to float16 rounds, from float16 is exact);
//   - Conv2DForward, Conv2DBackwardData, Conv2DBackwardFilter: the
//     activations (x and y, dy and dx, dy and x) float16, or neither; w
//     and dw float32 (CheckConv2DOperands);
//   - Add, ReLUForward, ReLUBackward, AddReLU: every operand float16, or
//     none (AddReLU's float16 y is max(round(a + b), 0));
//   - BatchNormApply: x and y float16, or neither; gamma, beta, mean and
//     invStd float32;
//   - BatchNormStats: x float16 or float32 (stats float32);
//   - BatchNormBackwardSums, BatchNormBackwardApply: dy, x, y (where read)
//     and dx float16, or none; the statistics, gamma and sums float32.
//
// The linear layers' ops (Gemm, GemmBatched, the bias, the pools, Axpy)
// join the table in dtype_linear.go, which says what each allows.
func Float16Operands(op string) []string { return strings.Fields(float16Operands[op]) }

// Float16Emulator is implemented by a Float16Storer whose float16 tensors
// hold float16 values in float32 memory (the CPU backend, the reference):
// they save no memory or traffic, so a model that can also round float32
// tensors in place (layers' MixedStorageAuto) prefers that there.
type Float16Emulator interface {
	// Float16Emulated reports whether NewFloat16 tensors take float32's
	// memory.
	Float16Emulated() bool
}

// Float16Packed reports whether b stores float16 tensors in half the
// memory of float32 ones: it has float16 storage and is not a
// Float16Emulator that says otherwise.
func Float16Packed(b Backend) bool {
	if Float16Support(b) != nil {
		return false
	}
	e, ok := b.(Float16Emulator)
	return !ok || !e.Float16Emulated()
}

// ErrFeatureDenied is wrapped by the errors of a backend that refuses a
// feature its device advertises because that device and driver are known
// to compute it wrongly (engine/vulkan's deny list): callers asking for the
// feature explicitly (--precision mixed) fail with it instead of falling
// back.
var ErrFeatureDenied = errors.New("feature denied for this device and driver")

// Float16Support is nil when b can store float16 tensors, or says why not.
func Float16Support(b Backend) error {
	s, ok := b.(Float16Storer)
	if !ok {
		return fmt.Errorf("engine: backend %s does not store float16 tensors", b.Name())
	}
	return s.Float16Storage()
}

// CheckNumelOf is CheckNumel for an operand that may be stored as any of
// dtypes (Float16Operands lists where Float16 is allowed).
func CheckNumelOf(op, name string, t *Tensor, n int, dtypes ...DType) {
	checkLive(op, name, t)
	if !slices.Contains(dtypes, t.dtype) {
		panic(fmt.Sprintf("engine: %s: %s %v is stored as %v; %s takes it as %v only", op, name, t, t.dtype, op, dtypeList(dtypes)))
	}
	if t.numel != n {
		panic(fmt.Sprintf("engine: %s: %s has shape %v (%d elements), want %d elements", op, name, t.shape, t.numel, n))
	}
}

// CheckSameOf is CheckSame for ops whose operands may be Float16 where all
// of them are (Add, the ReLUs): every tensor has the numel and the dtype of
// the first, which is one of dtypes. Returns the numel and the dtype.
func CheckSameOf(op string, names []string, dtypes []DType, ts ...*Tensor) (int, DType) {
	checkLive(op, names[0], ts[0])
	dt := ts[0].dtype
	for i, t := range ts {
		CheckNumelOf(op, names[i], t, ts[0].numel, dtypes...)
		if t.dtype != dt {
			panic(fmt.Sprintf("engine: %s: %s is %v but %s is %v; %s takes all operands as one dtype", op, names[i], t.dtype, names[0], dt, op))
		}
	}
	return ts[0].numel, dt
}

func dtypeList(ds []DType) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, " or ")
}

// CheckFloat32 is CheckNumel for an operand whose size defines the others
// (ToFloat16's src): it panics unless t is a live float32 tensor, and
// returns its numel.
func CheckFloat32(op, name string, t *Tensor) int {
	checkLive(op, name, t)
	CheckNumel(op, name, t, t.numel)
	return t.numel
}

// NumelOf panics unless t is a live tensor (of any dtype) and returns its
// numel, for an op that sizes its other operands by it.
func NumelOf(op, name string, t *Tensor) int {
	checkLive(op, name, t)
	return t.numel
}
