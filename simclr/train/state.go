package train

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"strconv"

	"simclr-vk/layers"
	"simclr-vk/layers/optim"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/modelio"
)

// position is where a run stands: what a checkpoint restores besides the
// tensors.
type position struct {
	Epoch       int   // epochs completed
	StepInEpoch int   // steps done in epoch Epoch (0-based epoch number)
	GlobalStep  int64 // optimizer steps done
	KNNRandom   float64
	KNNLast     float64
	// scaler is mixed precision's dynamic loss scale (nil in float32),
	// saved in the checkpoint's extra fields so a resume continues it.
	scaler *layers.LossScaler
}

const (
	extraOptimizer = "optimizer"
	extraOptSteps  = "optimizer_steps"
	extraKNNRandom = "knn_random_top1"
	extraKNNLast   = "knn_top1"
)

// snapshot downloads the model and optimizer state into a checkpoint. It
// refuses (with an error naming the tensor) to produce one holding NaN or
// Inf, so a diverged model is never written over a good checkpoint.
func snapshot(cfg Config, arch json.RawMessage, m *layers.Model, o *optim.Optimizer, pos position) (*checkpoint.Checkpoint, error) {
	ts, err := modelio.Tensors(m)
	if err != nil {
		return nil, err
	}
	b := m.Backend()
	for _, s := range o.State() {
		data := make([]float32, s.Tensor.Numel())
		if err := b.Download(s.Tensor, data); err != nil {
			return nil, fmt.Errorf("download optimizer state %s: %w", s.Name, err)
		}
		ts = append(ts, checkpoint.Tensor{Name: s.Name, Kind: checkpoint.KindOptim, Shape: s.Tensor.Shape(), Data: data})
	}
	for _, t := range ts {
		for i, v := range t.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("%s %s holds %g at index %d: not saving a diverged model", t.Kind, t.Name, v, i)
			}
		}
	}
	extra := map[string]string{
		extraOptimizer: cfg.Optimizer,
		extraOptSteps:  strconv.Itoa(o.Steps()),
	}
	if pos.scaler != nil {
		maps.Copy(extra, pos.scaler.State())
	}
	if !math.IsNaN(pos.KNNRandom) {
		extra[extraKNNRandom] = strconv.FormatFloat(pos.KNNRandom, 'g', -1, 64)
	}
	if !math.IsNaN(pos.KNNLast) {
		extra[extraKNNLast] = strconv.FormatFloat(pos.KNNLast, 'g', -1, 64)
	}
	return &checkpoint.Checkpoint{
		Meta: checkpoint.Meta{
			Config:       cfg.JSON(),
			Epoch:        pos.Epoch,
			GlobalStep:   pos.GlobalStep,
			StepInEpoch:  pos.StepInEpoch,
			ScheduleStep: pos.GlobalStep,
			// The data order and every view are functions of (seed, epoch,
			// image index): the seed is the whole RNG state.
			RNG:   []uint64{cfg.Seed},
			Arch:  arch,
			Extra: extra,
		},
		Tensors: ts,
	}, nil
}

// sameArch compares the architecture recorded in a checkpoint with the one
// this run builds (initialisation-only fields ignored).
func sameArch(recorded json.RawMessage, want layers.Config) (layers.Config, bool, error) {
	got, err := modelio.ParseArch(recorded)
	if err != nil {
		return got, false, err
	}
	a, b := got.WithDefaults(), want.WithDefaults()
	a.Seed, b.Seed = 0, 0
	a.Encoder.ZeroInitResidual, b.Encoder.ZeroInitResidual = false, false
	return got, a == b, nil
}

// restore loads ck into m and o and returns the run position it records.
// The caller has checked the architecture (sameArch); nothing is changed
// when the checkpoint does not fit or holds NaN or Inf.
func restore(ck *checkpoint.Checkpoint, cfg Config, m *layers.Model, o *optim.Optimizer) (position, error) {
	pos := position{KNNRandom: math.NaN(), KNNLast: math.NaN()}
	where := "--resume " + ck.Path
	// A diverged checkpoint (given as a file: Load of a directory already
	// skips them) would diverge again and become "the last good
	// checkpoint" of this run.
	if err := ck.CheckFinite(); err != nil {
		return pos, fmt.Errorf("%s: %w: a diverged model cannot be resumed (resume from an older checkpoint, or the run directory: it skips such files)", where, err)
	}
	if k := ck.Meta.Extra[extraOptimizer]; k != "" && k != cfg.Optimizer {
		return pos, fmt.Errorf("%s: the checkpoint holds %s optimizer state, this run uses --optimizer %s", where, k, cfg.Optimizer)
	}
	if len(ck.Meta.RNG) > 0 && ck.Meta.RNG[0] != cfg.Seed {
		return pos, fmt.Errorf("%s: the checkpoint's run used --seed %d, this run --seed %d (the data order would change)", where, ck.Meta.RNG[0], cfg.Seed)
	}
	steps, err := strconv.Atoi(ck.Meta.Extra[extraOptSteps])
	if err != nil {
		return pos, fmt.Errorf("%s: no optimizer step count recorded", where)
	}
	state := map[string][]float32{}
	for _, t := range ck.Tensors {
		if t.Kind == checkpoint.KindOptim {
			state[t.Name] = t.Data
		}
	}
	// Check the optimizer state before touching the model.
	for _, s := range o.State() {
		if v, ok := state[s.Name]; !ok || len(v) != s.Tensor.Numel() {
			return pos, fmt.Errorf("%s: optimizer state %s missing or of the wrong size", where, s.Name)
		}
	}
	if err := modelio.Load(m, ck); err != nil {
		return pos, fmt.Errorf("%s: %w", where, err)
	}
	if err := o.LoadState(state, steps); err != nil {
		return pos, fmt.Errorf("%s: %w", where, err)
	}
	if err := m.Backend().Flush(); err != nil {
		return pos, fmt.Errorf("%s: upload: %w", where, err)
	}
	pos.Epoch, pos.StepInEpoch, pos.GlobalStep = ck.Meta.Epoch, ck.Meta.StepInEpoch, ck.Meta.GlobalStep
	if v, err := strconv.ParseFloat(ck.Meta.Extra[extraKNNRandom], 64); err == nil {
		pos.KNNRandom = v
	}
	if v, err := strconv.ParseFloat(ck.Meta.Extra[extraKNNLast], 64); err == nil {
		pos.KNNLast = v
	}
	return pos, nil
}
