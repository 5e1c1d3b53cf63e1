// Package optim drives the engine's optimizer ops (LARSStep, SGDStep,
// AdamWStep) over a model's parameters and owns their state (momentum
// buffers, Adam moments, step count) for checkpoints.
//
// Parameters with layers.Param.NoDecay (every BN gamma/beta and every bias)
// get no weight decay with any kind and, with LARS, no trust-ratio
// adaptation (LARSParams.Exclude), as in the SimCLR reference.
//
// State names follow torch.optim's per-parameter state keys:
// "<param>.momentum_buffer" (lars, sgd), "<param>.exp_avg" and
// "<param>.exp_avg_sq" (adamw); the step count is Steps / SetSteps.
//
// It sits under layers because it needs only the engine and layers.Param,
// so layers' own test helpers (layers/layerstest) use it without importing
// up the stack into simclr/.
package optim
