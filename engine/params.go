package engine

import "fmt"

// Conv2DParams describe a 2-D convolution without bias:
// x (N,C,H,W) * w (K,C,R,S) -> y (N,K,P,Q) with zero padding,
// P = (H + 2*PadH - R)/StrideH + 1, Q = (W + 2*PadW - S)/StrideW + 1.
type Conv2DParams struct {
	N, C, H, W       int
	K, R, S          int
	StrideH, StrideW int
	PadH, PadW       int
}

// OutH is P, the output height.
func (p Conv2DParams) OutH() int { return (p.H+2*p.PadH-p.R)/p.StrideH + 1 }

// OutW is Q, the output width.
func (p Conv2DParams) OutW() int { return (p.W+2*p.PadW-p.S)/p.StrideW + 1 }

// Flops is the multiply-add count times 2 of the forward pass (the same for
// each backward).
func (p Conv2DParams) Flops() float64 {
	return 2 * float64(p.N) * float64(p.K) * float64(p.OutH()) * float64(p.OutW()) * float64(p.C) * float64(p.R) * float64(p.S)
}

// Validate panics with an "engine: <op>: ..." message if p is unusable.
func (p Conv2DParams) Validate(op string) {
	if p.N <= 0 || p.C <= 0 || p.H <= 0 || p.W <= 0 || p.K <= 0 || p.R <= 0 || p.S <= 0 ||
		p.StrideH <= 0 || p.StrideW <= 0 || p.PadH < 0 || p.PadW < 0 || p.OutH() <= 0 || p.OutW() <= 0 {
		panic(fmt.Sprintf("engine: %s: invalid convolution %+v", op, p))
	}
}

func (p Conv2DParams) String() string {
	return fmt.Sprintf("N%d C%d H%d W%d K%d R%d S%d stride %dx%d pad %dx%d", p.N, p.C, p.H, p.W, p.K, p.R, p.S, p.StrideH, p.StrideW, p.PadH, p.PadW)
}

// Pool2DParams describe a 2-D max pooling window over x (N,C,H,W) giving
// y (N,C,P,Q) with P = (H + 2*PadH - KH)/StrideH + 1 and likewise Q.
type Pool2DParams struct {
	N, C, H, W       int
	KH, KW           int
	StrideH, StrideW int
	PadH, PadW       int
}

// OutH is P.
func (p Pool2DParams) OutH() int { return (p.H+2*p.PadH-p.KH)/p.StrideH + 1 }

// OutW is Q.
func (p Pool2DParams) OutW() int { return (p.W+2*p.PadW-p.KW)/p.StrideW + 1 }

// Validate panics if p is unusable.
func (p Pool2DParams) Validate(op string) {
	if p.N <= 0 || p.C <= 0 || p.H <= 0 || p.W <= 0 || p.KH <= 0 || p.KW <= 0 || p.StrideH <= 0 ||
		p.StrideW <= 0 || p.PadH < 0 || p.PadW < 0 || p.PadH >= p.KH || p.PadW >= p.KW || p.OutH() <= 0 || p.OutW() <= 0 {
		panic(fmt.Sprintf("engine: %s: invalid pooling %+v", op, p))
	}
}

// BatchNormParams describe batch normalisation of x (N, C, HW) per channel.
type BatchNormParams struct {
	N, C, HW int
	Eps      float32 // added to the variance; PyTorch default 1e-5
	Momentum float32 // running = (1-Momentum)*running + Momentum*batch; PyTorch default 0.1
	ReLU     bool    // fuse max(., 0) after the affine transform
}

// SGDParams: g' = g + WeightDecay*w; v = Momentum*v + g';
// w -= LR * (Nesterov ? g' + Momentum*v : v)  (PyTorch's SGD).
type SGDParams struct {
	LR, Momentum, WeightDecay float32
	Nesterov                  bool
}

// LARSParams follow the SimCLR reference (lars_optimizer.py):
// unless Exclude: g' = g + WeightDecay*w and
// trust = Eta*||w||/||g'|| when both norms are > 0, else 1;
// with Exclude: g' = g, trust = 1. Then v = Momentum*v + LR*trust*g'; w -= v.
type LARSParams struct {
	LR, Momentum, WeightDecay, Eta float32
	Exclude                        bool
}

// AdamWParams: w -= LR*WeightDecay*w; m = B1*m + (1-B1)*g;
// v = B2*v + (1-B2)*g^2; w -= LR * (m/(1-B1^Step)) / (sqrt(v/(1-B2^Step)) + Eps).
// Step counts from 1.
type AdamWParams struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Step                               int
}
