package layers

import "simclr-vk/engine"

// Conv2d is torch.nn.Conv2d with a square kernel (bias off unless asked).
// State: <name>.weight (Out,In,K,K) [, <name>.bias (Out)].
type Conv2d struct {
	Name                    string
	In, Out, K, Stride, Pad int
	Weight, Bias            *Param // Bias nil without bias
}

// NewConv2d allocates a zero conv layer; Init* functions fill it.
func NewConv2d(b engine.Backend, name string, in, out, k, stride, pad int, bias bool) *Conv2d {
	c := &Conv2d{Name: name, In: in, Out: out, K: k, Stride: stride, Pad: pad,
		Weight: newParam(b, join(name, "weight"), false, out, in, k, k)}
	if bias {
		c.Bias = newParam(b, join(name, "bias"), true, out)
	}
	return c
}

// Forward applies the convolution.
func (c *Conv2d) Forward(t *Tape, x *Var) *Var { return t.Conv2D(x, c.Weight, c.Bias, c.Stride, c.Pad) }

// State lists weight [, bias].
func (c *Conv2d) State() []NamedTensor {
	s := []NamedTensor{paramState(c.Weight)}
	if c.Bias != nil {
		s = append(s, paramState(c.Bias))
	}
	return s
}

// BatchNorm is torch.nn.BatchNorm2d (inputs (N,C,H,W)) and BatchNorm1d
// (inputs (N,C)). State: <name>.weight, <name>.bias (absent when Beta is
// nil), <name>.running_mean, <name>.running_var, <name>.num_batches_tracked.
// gamma / beta are excluded from weight decay and LARS adaptation.
type BatchNorm struct {
	Name          string
	C             int
	Eps, Momentum float32
	Gamma, Beta   *Param // Beta nil for a BN without shift (head's last BN)
	RunningMean   *Buffer
	RunningVar    *Buffer
	// NumBatchesTracked counts training forwards on the host (Count).
	NumBatchesTracked *Buffer
}

// NewBatchNorm returns a BN with gamma 1, beta 0, running mean 0 and running
// variance 1 (PyTorch's defaults; eps 1e-5, momentum 0.1).
func NewBatchNorm(b engine.Backend, name string, c int, beta bool) *BatchNorm {
	bn := &BatchNorm{Name: name, C: c, Eps: 1e-5, Momentum: 0.1,
		Gamma:             newParam(b, join(name, "weight"), true, c),
		RunningMean:       &Buffer{Name: join(name, "running_mean"), Value: b.New(c)},
		RunningVar:        &Buffer{Name: join(name, "running_var"), Value: b.New(c)},
		NumBatchesTracked: &Buffer{Name: join(name, "num_batches_tracked")},
	}
	if beta {
		bn.Beta = newParam(b, join(name, "bias"), true, c)
	}
	b.Fill(bn.Gamma.Value, 1)
	b.Fill(bn.RunningVar.Value, 1)
	return bn
}

// Forward normalises x. A ReLU that follows directly is fused by
// Sequential and by the blocks, which call Tape.BatchNormOp themselves.
func (bn *BatchNorm) Forward(t *Tape, x *Var) *Var { return t.BatchNormOp(x, bn, false) }

// State lists weight, bias, running_mean, running_var, num_batches_tracked.
func (bn *BatchNorm) State() []NamedTensor {
	s := []NamedTensor{paramState(bn.Gamma)}
	if bn.Beta != nil {
		s = append(s, paramState(bn.Beta))
	}
	return append(s, bufferState(bn.RunningMean), bufferState(bn.RunningVar), bufferState(bn.NumBatchesTracked))
}

// Linear is torch.nn.Linear: weight (Out,In), bias (Out) or none.
type Linear struct {
	Name         string
	In, Out      int
	Weight, Bias *Param
}

// NewLinear allocates a zero linear layer.
func NewLinear(b engine.Backend, name string, in, out int, bias bool) *Linear {
	l := &Linear{Name: name, In: in, Out: out, Weight: newParam(b, join(name, "weight"), false, out, in)}
	if bias {
		l.Bias = newParam(b, join(name, "bias"), true, out)
	}
	return l
}

// Forward computes x w^T + b for x (N, In).
func (l *Linear) Forward(t *Tape, x *Var) *Var { return t.Linear(x, l.Weight, l.Bias) }

// State lists weight [, bias].
func (l *Linear) State() []NamedTensor {
	s := []NamedTensor{paramState(l.Weight)}
	if l.Bias != nil {
		s = append(s, paramState(l.Bias))
	}
	return s
}

// Release frees the layer's device tensors (values and gradients).
func (l *Linear) Release() { releaseState(l) }

// ReLU is torch.nn.ReLU (no state).
type ReLU struct{}

// Forward applies max(x, 0).
func (ReLU) Forward(t *Tape, x *Var) *Var { return t.ReLU(x) }

// State is empty.
func (ReLU) State() []NamedTensor { return nil }

// MaxPool is torch.nn.MaxPool2d(K, Stride, Pad).
type MaxPool struct{ K, Stride, Pad int }

// Forward pools x.
func (m MaxPool) Forward(t *Tape, x *Var) *Var { return t.MaxPool2D(x, m.K, m.Stride, m.Pad) }

// State is empty.
func (MaxPool) State() []NamedTensor { return nil }

// GlobalAvgPool is AdaptiveAvgPool2d(1) followed by flatten: (N,C,H,W) -> (N,C).
type GlobalAvgPool struct{}

// Forward pools x.
func (GlobalAvgPool) Forward(t *Tape, x *Var) *Var { return t.GlobalAvgPool(x) }

// State is empty.
func (GlobalAvgPool) State() []NamedTensor { return nil }

// Sequential runs its modules in order. A BatchNorm directly followed by a
// ReLU runs as one fused op (the ReLU keeps its index, as in PyTorch names).
type Sequential struct{ Mods []Module }

// Forward runs the chain.
func (s *Sequential) Forward(t *Tape, x *Var) *Var {
	for i := 0; i < len(s.Mods); i++ {
		if bn, ok := s.Mods[i].(*BatchNorm); ok && i+1 < len(s.Mods) {
			if _, ok := s.Mods[i+1].(ReLU); ok {
				x = t.BatchNormOp(x, bn, true)
				i++
				continue
			}
		}
		x = s.Mods[i].Forward(t, x)
	}
	return x
}

// State concatenates the modules' states.
func (s *Sequential) State() []NamedTensor {
	var st []NamedTensor
	for _, m := range s.Mods {
		st = append(st, m.State()...)
	}
	return st
}
