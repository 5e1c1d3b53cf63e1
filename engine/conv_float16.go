package engine

import "fmt"

// CheckConv2DOperands is the operand check of the three convolution
// passes on every backend (the shapes p gives and the dtypes
// Float16Operands allows): img is x or dx (N*C*H*W), act the other
// activation, y or dy (N*K*P*Q), and filt w or dw (K*C*R*S), named by
// names in that order. img and act are both Float32 or both Float16 (the
// activations of a mixed-precision network: x, y, dy and dx stored as
// float16); filt is always Float32 (the master weights and their
// gradient). It panics naming op and the operand, and returns the
// activations' dtype.
func CheckConv2DOperands(op string, p Conv2DParams, names [3]string, img, act, filt *Tensor) DType {
	CheckNumelOf(op, names[0], img, p.N*p.C*p.H*p.W, Float32, Float16)
	CheckNumelOf(op, names[1], act, p.N*p.K*p.OutH()*p.OutW(), Float32, Float16)
	if img.DType() != act.DType() {
		panic(fmt.Sprintf("engine: %s: %s is %v but %s is %v; %s takes %s and %s as one dtype",
			op, names[0], img.DType(), names[1], act.DType(), op, names[0], names[1]))
	}
	CheckNumel(op, names[2], filt, p.K*p.C*p.R*p.S)
	return img.DType()
}
