package optim

import (
	"fmt"
	"slices"

	"simclr-vk/engine"
	"simclr-vk/layers"
)

// Kind names an optimizer.
type Kind string

const (
	LARS  Kind = "lars"  // SimCLR's LARS (engine.LARSParams)
	SGD   Kind = "sgd"   // PyTorch SGD with momentum (engine.SGDParams)
	AdamW Kind = "adamw" // PyTorch AdamW (engine.AdamWParams)
)

// Kinds lists the supported kinds.
func Kinds() []Kind { return []Kind{LARS, SGD, AdamW} }

// Config holds the hyper-parameters (the learning rate is given per step).
// Zero Eta, Beta1, Beta2 and Eps take their defaults; Momentum and
// WeightDecay are used as given (DefaultConfig has the usual values).
type Config struct {
	Kind        Kind
	Momentum    float32 // lars, sgd
	WeightDecay float32 // every kind; never applied to NoDecay params
	Eta         float32 // lars trust coefficient (default 0.001)
	Nesterov    bool    // sgd
	Beta1       float32 // adamw (default 0.9)
	Beta2       float32 // adamw (default 0.999)
	Eps         float32 // adamw (default 1e-8)
}

// DefaultConfig returns the SimCLR / PyTorch defaults for kind: momentum 0.9
// (lars, sgd), weight decay 1e-6 (lars, as the paper), 0 (sgd), 0.01 (adamw).
func DefaultConfig(kind Kind) Config {
	c := Config{Kind: kind, Eta: 0.001, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	switch kind {
	case LARS:
		c.Momentum, c.WeightDecay = 0.9, 1e-6
	case SGD:
		c.Momentum = 0.9
	case AdamW:
		c.WeightDecay = 0.01
	}
	return c
}

// Optimizer updates a fixed list of parameters in place.
type Optimizer struct {
	b      engine.Backend
	cfg    Config
	params []*layers.Param
	m, v   []*engine.Tensor // lars/sgd: m = momentum; adamw: m, v moments
	steps  int
}

// New returns an optimizer over params with zeroed state.
func New(b engine.Backend, params []*layers.Param, cfg Config) (*Optimizer, error) {
	if !slices.Contains(Kinds(), cfg.Kind) {
		return nil, fmt.Errorf("optim: unknown optimizer %q (have %v)", cfg.Kind, Kinds())
	}
	def := DefaultConfig(cfg.Kind)
	if cfg.Eta == 0 {
		cfg.Eta = def.Eta
	}
	if cfg.Beta1 == 0 {
		cfg.Beta1 = def.Beta1
	}
	if cfg.Beta2 == 0 {
		cfg.Beta2 = def.Beta2
	}
	if cfg.Eps == 0 {
		cfg.Eps = def.Eps
	}
	if cfg.Momentum < 0 || cfg.Momentum >= 1 || cfg.WeightDecay < 0 || cfg.Beta1 < 0 || cfg.Beta1 >= 1 || cfg.Beta2 < 0 || cfg.Beta2 >= 1 {
		return nil, fmt.Errorf("optim: invalid hyper-parameters %+v", cfg)
	}
	o := &Optimizer{b: b, cfg: cfg, params: params}
	for _, p := range params {
		o.m = append(o.m, b.New(p.Numel()))
		if cfg.Kind == AdamW {
			o.v = append(o.v, b.New(p.Numel()))
		}
	}
	return o, b.Err()
}

// Config returns the hyper-parameters in use (defaults filled in).
func (o *Optimizer) Config() Config { return o.cfg }

// Step applies one update with learning rate lr to every parameter from its
// Grad, queued on the backend (no sync).
func (o *Optimizer) Step(lr float32) {
	o.steps++
	for i, p := range o.params {
		wd := o.cfg.WeightDecay
		if p.NoDecay {
			wd = 0
		}
		switch o.cfg.Kind {
		case LARS:
			o.b.LARSStep(p.Value, p.Grad, o.m[i], engine.LARSParams{LR: lr, Momentum: o.cfg.Momentum,
				WeightDecay: wd, Eta: o.cfg.Eta, Exclude: p.NoDecay})
		case SGD:
			o.b.SGDStep(p.Value, p.Grad, o.m[i], engine.SGDParams{LR: lr, Momentum: o.cfg.Momentum,
				WeightDecay: wd, Nesterov: o.cfg.Nesterov})
		case AdamW:
			o.b.AdamWStep(p.Value, p.Grad, o.m[i], o.v[i], engine.AdamWParams{LR: lr, Beta1: o.cfg.Beta1,
				Beta2: o.cfg.Beta2, Eps: o.cfg.Eps, WeightDecay: wd, Step: o.steps})
		}
	}
}

// Steps is the number of Step calls so far (AdamW's bias-correction count).
func (o *Optimizer) Steps() int { return o.steps }

// SetSteps restores the step count from a checkpoint.
func (o *Optimizer) SetSteps(n int) { o.steps = n }

// NamedState is one state tensor: flat, with the numel of its parameter.
type NamedState struct {
	Name   string
	Tensor *engine.Tensor
}

// State lists the live state tensors in parameter order. Saving downloads
// them; loading uploads into them (or use LoadState).
func (o *Optimizer) State() []NamedState {
	var s []NamedState
	for i, p := range o.params {
		if o.cfg.Kind == AdamW {
			s = append(s, NamedState{p.Name + ".exp_avg", o.m[i]}, NamedState{p.Name + ".exp_avg_sq", o.v[i]})
		} else {
			s = append(s, NamedState{p.Name + ".momentum_buffer", o.m[i]})
		}
	}
	return s
}

// LoadState uploads saved state: every name of State must be present with
// the right number of values; steps restores the step count.
func (o *Optimizer) LoadState(values map[string][]float32, steps int) error {
	st := o.State()
	for _, s := range st {
		v, ok := values[s.Name]
		if !ok {
			return fmt.Errorf("optim: LoadState: missing %s", s.Name)
		}
		if len(v) != s.Tensor.Numel() {
			return fmt.Errorf("optim: LoadState: %s has %d values, want %d", s.Name, len(v), s.Tensor.Numel())
		}
	}
	if len(values) != len(st) {
		return fmt.Errorf("optim: LoadState: %d tensors given, the %s optimizer has %d", len(values), o.cfg.Kind, len(st))
	}
	for _, s := range st {
		o.b.Upload(s.Tensor, values[s.Name])
	}
	o.steps = steps
	return o.b.Err()
}

// Release frees the state tensors.
func (o *Optimizer) Release() {
	for _, t := range o.m {
		t.Release()
	}
	for _, t := range o.v {
		t.Release()
	}
	o.m, o.v = nil, nil
}
