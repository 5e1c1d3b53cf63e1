package layers

import "simclr-vk/engine"

// Param is one trainable tensor: its value, its gradient (same shape, filled
// by every backward pass) and its torchvision state-dict name.
type Param struct {
	Name  string
	Value *engine.Tensor
	Grad  *engine.Tensor
	// NoDecay excludes the parameter from weight decay and from LARS trust
	// ratio adaptation. It is set on every BatchNorm gamma / beta and on every
	// bias, as in the SimCLR reference.
	NoDecay bool
}

// Shape is the shape of the value.
func (p *Param) Shape() []int { return p.Value.Shape() }

// Numel is the number of elements.
func (p *Param) Numel() int { return p.Value.Numel() }

func newParam(b engine.Backend, name string, noDecay bool, shape ...int) *Param {
	return &Param{Name: name, Value: b.New(shape...), Grad: b.New(shape...), NoDecay: noDecay}
}

func (p *Param) release() {
	p.Value.Release()
	p.Grad.Release()
}

// Buffer is non-trainable state: BatchNorm running_mean / running_var (a
// device tensor in Value), or num_batches_tracked (Value nil: an integer
// counted on the host in Count, exported as a scalar).
type Buffer struct {
	Name  string
	Value *engine.Tensor
	Count int64
}

// IsScalar reports whether the buffer is a host-side integer counter.
func (b *Buffer) IsScalar() bool { return b.Value == nil }

// NamedTensor is one entry of a module's state in state-dict order: exactly
// one of Param and Buffer is set. Tensor is the device tensor to save / load
// (Param.Value or Buffer.Value), nil for host scalars (num_batches_tracked).
type NamedTensor struct {
	Name   string
	Tensor *engine.Tensor
	Param  *Param
	Buffer *Buffer
}

// Module is a node of the model tree. Forward records its ops on the tape
// (which computes the backward pass); State lists its parameters and buffers
// in torchvision state_dict order.
type Module interface {
	Forward(t *Tape, x *Var) *Var
	State() []NamedTensor
}

// Params returns the trainable parameters of m in state-dict order.
func Params(m Module) []*Param {
	return stateEntries(m, func(s NamedTensor) *Param { return s.Param })
}

// Buffers returns the non-trainable buffers of m in state-dict order.
func Buffers(m Module) []*Buffer {
	return stateEntries(m, func(s NamedTensor) *Buffer { return s.Buffer })
}

// stateEntries returns the non-nil get(s) over m's state, in order.
func stateEntries[T any](m Module, get func(NamedTensor) *T) []*T {
	var out []*T
	for _, s := range m.State() {
		if v := get(s); v != nil {
			out = append(out, v)
		}
	}
	return out
}

// CountParams is the number of trainable scalars of m (torch's
// sum(p.numel() for p in m.parameters())).
func CountParams(m Module) int {
	n := 0
	for _, p := range Params(m) {
		n += p.Numel()
	}
	return n
}

func paramState(p *Param) NamedTensor { return NamedTensor{Name: p.Name, Tensor: p.Value, Param: p} }

func bufferState(b *Buffer) NamedTensor { return NamedTensor{Name: b.Name, Tensor: b.Value, Buffer: b} }

// releaseState frees the device tensors of a module's state.
func releaseState(m Module) {
	for _, s := range m.State() {
		if s.Param != nil {
			s.Param.release()
		} else if s.Buffer != nil && s.Buffer.Value != nil {
			s.Buffer.Value.Release()
		}
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
