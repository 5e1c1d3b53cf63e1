package layers

import (
	"fmt"

	"simclr-vk/engine"
)

// HeadConfig configures the SimCLR projection head g: h (N, d) -> z (N, Out).
// The head has Layers linear layers; every one but the last is followed by
// [BN1d] and ReLU. Defaults (zero values) give SimCLR v1 as PyTorch ports
// write it: Linear(d, d) - BN1d - ReLU - Linear(d, 128), with biases.
type HeadConfig struct {
	Layers int // number of Linear layers: 2 = v1 (default), 3 = v2
	Hidden int // hidden width (default d, the encoder's FeatureDim)
	Out    int // output dimension (default 128)
	// NoBias drops the Linear biases (the TF reference has none).
	NoBias bool
	// NoBN drops the hidden BatchNorm1d layers (several PyTorch ports).
	NoBN bool
	// LastBN adds a BatchNorm1d without beta (gamma only) after the last
	// Linear, as the TF reference does.
	LastBN bool
}

// WithDefaults returns c with the defaults NewHead applies to zero fields
// on features of width in: 2 layers, hidden width in, output 128.
func (c HeadConfig) WithDefaults(in int) HeadConfig {
	if c.Layers == 0 {
		c.Layers = 2
	}
	if c.Hidden == 0 {
		c.Hidden = in
	}
	if c.Out == 0 {
		c.Out = 128
	}
	return c
}

// Head is the projection head, an nn.Sequential whose state-dict names are
// head.<index>.<param> with PyTorch's indices: every module, ReLU included,
// takes one index. v1 with BN: head.0 Linear, head.1 BN1d, head.2 ReLU,
// head.3 Linear [, head.4 BN1d (weight, running stats; no bias)]. Without
// BN: head.0 Linear, head.1 ReLU, head.2 Linear.
type Head struct {
	Config HeadConfig
	Seq    *Sequential
	In     int
}

// NewHead builds a head on features of width in, initialised as torch does
// (Linear default init, BN gamma 1 beta 0) from seed.
func NewHead(b engine.Backend, in int, cfg HeadConfig, seed uint64) (*Head, error) {
	cfg = cfg.WithDefaults(in)
	if cfg.Layers < 1 || cfg.Hidden < 1 || cfg.Out < 1 || in < 1 {
		return nil, fmt.Errorf("layers: invalid head %+v on %d features", cfg, in)
	}
	rng := newRNG(seed)
	h := &Head{Config: cfg, In: in, Seq: &Sequential{}}
	idx := 0
	name := func() string { s := fmt.Sprintf("head.%d", idx); idx++; return s }
	d := in
	for l := 0; l < cfg.Layers; l++ {
		out := cfg.Hidden
		last := l == cfg.Layers-1
		if last {
			out = cfg.Out
		}
		lin := NewLinear(b, name(), d, out, !cfg.NoBias)
		InitLinearDefault(b, lin, rng)
		h.Seq.Mods = append(h.Seq.Mods, lin)
		if !last {
			if !cfg.NoBN {
				h.Seq.Mods = append(h.Seq.Mods, NewBatchNorm(b, name(), out, true))
			}
			h.Seq.Mods = append(h.Seq.Mods, ReLU{})
			idx++
		} else if cfg.LastBN {
			h.Seq.Mods = append(h.Seq.Mods, NewBatchNorm(b, name(), out, false))
		}
		d = out
	}
	return h, nil
}

// OutDim is the width of z.
func (h *Head) OutDim() int { return h.Config.Out }

// Forward maps h (N, In) to z (N, Out), not normalised.
func (h *Head) Forward(t *Tape, x *Var) *Var { return h.Seq.Forward(t, x) }

// State lists the head's parameters and buffers (head.* names).
func (h *Head) State() []NamedTensor { return h.Seq.State() }

// Release frees the head's device tensors.
func (h *Head) Release() { releaseState(h) }
