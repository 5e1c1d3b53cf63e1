package layers

import (
	"fmt"

	"simclr-vk/engine"
)

// Config configures a SimCLR model: encoder f (ResNet) and head g.
type Config struct {
	Encoder ResNetConfig
	Head    HeadConfig
	// Seed drives the host RNG of the initialisation (encoder from Seed,
	// head from Seed+1), so a seed gives identical weights on every backend.
	Seed uint64
}

// WithDefaults returns c with every default NewModel applies to zero fields
// filled in (ResNetConfig.WithDefaults, HeadConfig.WithDefaults on the
// encoder's FeatureDim), so that two configs that build the same model
// compare equal. Seed and ZeroInitResidual (initialisation only) are kept.
func (c Config) WithDefaults() Config {
	c.Encoder = c.Encoder.WithDefaults()
	c.Head = c.Head.WithDefaults(c.Encoder.FeatureDim())
	return c
}

// Model is a SimCLR network on one backend: encoder, projection head, the
// tensor pool its steps reuse and the tape recording them.
type Model struct {
	Encoder *ResNet
	Head    *Head

	b      engine.Backend
	pool   *Pool
	tape   *Tape
	out    *engine.Tensor // (2) = [loss, top1]
	params []*Param
	host   [2]float32
	par    Parallel
	micro  int        // SetMicroBatch: images per chunk of a Step (0: whole batches)
	comm   *timedComm // par.Comm, timed (nil until SetParallel)
	stage  []float32  // a chunked step's host staging of one chunk's views, kept across steps
	// gatherBackward, when set (tests only: export_test.go), replaces the
	// gathered NT-Xent's dz for this rank's rows (a mutation to show the
	// tests catch the all-gather backward bug).
	gatherBackward func(zGlobal []float32, tau float32, rank, n, world int) []float32
	// chunkZ, when set (tests only: export_test.go), sees each chunk's z
	// rows (2n, d) of a chunked step's first pass and of its recorded
	// second forward, which must be equal bit for bit.
	chunkZ func(k int, first, again []float32)
	// net, when set (tests only: export_test.go), is the network Forward
	// runs instead of encoder and head (one without batch norm).
	net Module
}

// NewModel builds and initialises a model on b.
func NewModel(b engine.Backend, cfg Config) (*Model, error) {
	enc, err := NewResNet(b, cfg.Encoder, cfg.Seed)
	if err != nil {
		return nil, err
	}
	head, err := NewHead(b, enc.FeatureDim(), cfg.Head, cfg.Seed+1)
	if err != nil {
		enc.Release()
		return nil, err
	}
	m := &Model{Encoder: enc, Head: head, b: b, pool: NewPool(b), out: b.New(2)}
	m.tape = NewTape(b, m.pool, true, true)
	m.params = Params(m)
	return m, nil
}

// Backend is the model's backend.
func (m *Model) Backend() engine.Backend { return m.b }

// State lists the encoder's state dict (torchvision names) followed by the
// head's (head.* names).
func (m *Model) State() []NamedTensor { return append(m.Encoder.State(), m.Head.State()...) }

// Forward makes Model a Module: encoder then head (unnormalised z).
func (m *Model) Forward(t *Tape, x *Var) *Var {
	if m.net != nil {
		return m.net.Forward(t, t.halfInput(x))
	}
	return m.Head.Forward(t, m.Encoder.Forward(t, t.halfInput(x)))
}

// Params are the trainable parameters in state-dict order (what an
// optimizer steps).
func (m *Model) Params() []*Param { return m.params }

// Buffers are the BN running statistics and batch counters.
func (m *Model) Buffers() []*Buffer { return Buffers(m) }

func (m *Model) input(t *Tape, x *engine.Tensor) *Var {
	s := x.Shape()
	if len(s) != 4 || s[1] != m.Encoder.Config.InChannels {
		panic(fmt.Sprintf("layers: Model: input %v is not (2N, %d, H, W)", x, m.Encoder.Config.InChannels))
	}
	return t.Input(x)
}

// Step runs one SimCLR training step on x (2N, C, H, W) (rows i and i+N are
// the two views of image i): encoder and head in training mode, L2
// normalisation, NT-Xent at temperature tau and the whole backward pass.
// Afterwards every Param.Grad holds dloss/dparam and the BN running
// statistics are updated; the optimizer step is the caller's. It returns
// the loss (mean over the 2N views) and the contrastive top-1, downloaded
// in one sync, and the backend's sticky error.
//
// With SetParallel's world of more than one, x is this rank's 2n views and
// Step is one data-parallel step on the global batch: z is all-gathered for
// the NT-Xent loss over the global 2N views (loss and top-1 are the global
// ones), BN follows Parallel, and the gradients are summed over the ranks
// (see syncAfterBackward), so every rank ends with the same gradients and
// statistics as a world of one stepping on the global batch. Step (and
// Loss) are then collectives: every rank must call them with the same
// options and batch size, and a rank whose Step fails must end the job
// (Comm.Abort) rather than leave the others waiting.
//
// With SetMicroBatch(mb) and more than mb images, Step runs in chunks of mb
// images (gradient caching, stepChunked): the same loss over the whole
// batch, activations held for one chunk at a time, BN statistics per chunk.
func (m *Model) Step(x *engine.Tensor, tau float32) (loss, top1 float32, err error) {
	if m.micro > 0 && m.micro < x.Dim(0)/2 {
		return m.stepChunked(x, tau)
	}
	return m.run(x, tau, true)
}

// run is Step (record) or Loss (forward only).
func (m *Model) run(x *engine.Tensor, tau float32, record bool) (loss, top1 float32, err error) {
	t := m.tape
	if err := m.checkBatch(x); err != nil {
		return 0, 0, err
	}
	t.train, t.record = true, record
	t.par.on, t.par.err = true, nil
	defer func() { t.par.on = false }()
	z := t.L2Normalize(m.Forward(t, m.input(t, x)))
	if m.world().Size() > 1 {
		m.gatheredNTXent(t, z, tau)
	} else {
		t.NTXent(z, tau, m.out)
	}
	if record {
		t.Backward(m.params)
	} else {
		t.Reset()
	}
	if t.par.err != nil {
		return 0, 0, fmt.Errorf("layers: step: %w", t.par.err)
	}
	if record {
		if err := m.syncAfterBackward(); err != nil {
			return 0, 0, err
		}
	}
	return m.result()
}

// Loss is Step without the backward pass: a training-mode forward (batch
// statistics; running statistics and counters are updated) and the NT-Xent
// loss and top-1. Finite-difference tests use it.
func (m *Model) Loss(x *engine.Tensor, tau float32) (loss, top1 float32, err error) {
	return m.run(x, tau, false)
}

func (m *Model) result() (float32, float32, error) {
	if err := m.b.Download(m.out, m.host[:]); err != nil {
		return 0, 0, fmt.Errorf("layers: step: %w", err)
	}
	return m.host[0], m.host[1], nil
}

// Project writes the head's output z (N, OutDim), before normalisation, for
// x (N, C, H, W) in training mode (batch statistics) into the caller's z.
// It records no backward.
func (m *Model) Project(z, x *engine.Tensor) error {
	t := m.tape
	t.train, t.record = true, false
	out := m.Forward(t, m.input(t, x))
	engine.CheckNumel("layers Project", "z", z, out.Numel())
	m.b.Copy(z, out.Value)
	t.Reset()
	return m.b.Err()
}

// Features writes the encoder's features h (N, FeatureDim) of x (N, C, H, W)
// into the caller's h, in eval mode (BN uses running statistics), for the
// kNN monitor, linear evaluation and embedding export. Nothing is recorded.
func (m *Model) Features(h, x *engine.Tensor) error {
	t := m.tape
	t.train, t.record = false, false
	out := m.Encoder.Forward(t, t.halfInput(m.input(t, x)))
	engine.CheckNumel("layers Features", "h", h, out.Numel())
	m.b.Copy(h, out.Value)
	t.Reset()
	return m.b.Err()
}

// LastFlops is the forward FLOP count (convolutions and linear layers, 2 x
// multiply-adds) of the last Step, Loss, Project or Features call; a
// training step costs about 3x this.
func (m *Model) LastFlops() float64 { return m.tape.LastFlops() }

// PoolBytes is the device memory kept for reuse between steps.
func (m *Model) PoolBytes() int64 { return m.pool.Held() }

// Trim releases the tensors kept for reuse between steps (the next step
// allocates them again).
func (m *Model) Trim() { m.pool.Trim() }

// Release frees every device tensor of the model.
func (m *Model) Release() {
	m.tape.Reset()
	m.pool.Trim()
	m.Encoder.Release()
	m.Head.Release()
	m.out.Release()
}
