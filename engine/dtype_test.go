package engine

import (
	"fmt"
	"testing"
)

// panicOf runs f and returns its panic message ("" when it returned).
func panicOf(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestFloat16Tensor: a Float16 tensor keeps its dtype through Reshape,
// counts 2 bytes an element and says float16 when printed; CheckNumel
// refuses it by op and operand name, CheckNumelOf and CheckSameOf take it
// where allowed and refuse a dtype mix.
func TestFloat16Tensor(t *testing.T) {
	h := NewTensorOf(nil, Float16, nil, 3, 5)
	f := NewTensor(nil, nil, 15)
	if v := h.Reshape(15); v.DType() != Float16 || v.Bytes() != 30 || v.String() != "Tensor(15 float16)" {
		t.Errorf("view of a float16 tensor: %v %v, %d bytes", v, v.DType(), v.Bytes())
	}
	if f.DType() != Float32 || f.Bytes() != 60 || f.String() != "Tensor(15)" {
		t.Errorf("float32 tensor: %v %v, %d bytes", f, f.DType(), f.Bytes())
	}
	for _, c := range []struct {
		name string
		f    func()
		want string // "" : no panic
	}{
		{"CheckNumel float16", func() { CheckNumel("Sub", "a", h, 15) }, "engine: Sub: a Tensor(3x5 float16) is stored as float16; Sub takes it as float32 only"},
		{"CheckFloat32 float16", func() { CheckFloat32("ToFloat16", "src", h) }, "engine: ToFloat16: src Tensor(3x5 float16) is stored as float16; ToFloat16 takes it as float32 only"},
		{"CheckNumelOf allowed", func() { CheckNumelOf("Copy", "src", h, 15, Float32, Float16) }, ""},
		{"CheckNumelOf size", func() { CheckNumelOf("Copy", "src", h, 14, Float32, Float16) }, "engine: Copy: src has shape [3 5] (15 elements), want 14 elements"},
		{"CheckSameOf", func() { CheckSameOf("Add", []string{"dst", "a"}, []DType{Float32, Float16}, h, h) }, ""},
		{"CheckSameOf mix", func() { CheckSameOf("Add", []string{"dst", "a"}, []DType{Float32, Float16}, h, f) },
			"engine: Add: a is float32 but dst is float16; Add takes all operands as one dtype"},
		{"CheckNumelAs same", func() { CheckNumelAs("MaxPool2DForward", "y", h, 15, "x", h) }, ""},
		{"CheckNumelAs mix", func() { CheckNumelAs("MaxPool2DForward", "y", f, 15, "x", h) },
			"engine: MaxPool2DForward: y Tensor(15) is stored as float32 but x as float16; MaxPool2DForward takes them as one dtype"},
		{"CheckNumelAs size", func() { CheckNumelAs("MaxPool2DForward", "y", h, 14, "x", h) },
			"engine: MaxPool2DForward: y has shape [3 5] (15 elements), want 14 elements"},
		{"NumelOf nil", func() { NumelOf("Copy", "src", nil) }, "engine: Copy: src is nil"},
	} {
		if got := panicOf(c.f); got != c.want {
			t.Errorf("%s: panic %q, want %q", c.name, got, c.want)
		}
	}
	if got := Float16Operands("Sub"); len(got) != 0 {
		t.Errorf("Float16Operands(Sub) = %v, want none", got)
	}
	if got := fmt.Sprint(Float16Operands("Gemm")); got != "[a b c]" { // dtype_linear.go's init
		t.Errorf("Float16Operands(Gemm) = %s", got)
	}
	if got := fmt.Sprint(Float16Operands("Copy")); got != "[dst src]" {
		t.Errorf("Float16Operands(Copy) = %s", got)
	}
}
