package train

import (
	"errors"
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
)

// Precision values of Config.Precision (--precision).
const (
	PrecisionFP32  = "fp32"
	PrecisionMixed = "mixed"
	PrecisionAuto  = "auto"
)

// ResolvePrecision turns --precision into the model's precision. auto is
// float32 on every backend for now: mixed precision stores activations in
// float16 on Vulkan devices with 16-bit storage (half the memory), but its
// float16 kernels are not yet faster than the float32 ones (issue #18);
// on the CPU, and where a device has no float16 storage, mixed emulates
// the float16 rounding in float32 tensors (a reference, no faster than
// float32).
func ResolvePrecision(s string) (layers.Precision, error) {
	switch s {
	case PrecisionAuto, "":
		return layers.PrecisionFP32, nil
	}
	return layers.ParsePrecision(s)
}

// precisionNote is the log line describing p on a backend named backend
// (given as --precision flag), "" for an explicit fp32 (the logs of
// float32 runs stay as they were). stored is layers.Model.Float16Stored:
// float16 tensors, which hold float16 values in float32 memory on the CPU
// backend (an emulation there too).
func precisionNote(flag string, p layers.Precision, backend string, stored bool) string {
	const rest = "master weights, BN statistics, loss and optimizer float32, dynamic loss scaling"
	if p == layers.PrecisionMixed && stored && backend != "cpu" {
		return fmt.Sprintf("precision: mixed on %s: activations and their gradients stored as float16 tensors (half their memory; the float16 kernels are not faster than float32 without --coopmat, and with it not yet measured), %s", backend, rest)
	}
	if p == layers.PrecisionMixed {
		return fmt.Sprintf("precision: mixed, EMULATED on %s: activations and their gradients rounded to float16 in float32 memory (no speed or memory gain), %s", backend, rest)
	}
	if flag == PrecisionAuto || flag == "" {
		return "precision: fp32 (--precision auto: mixed precision is not yet measured faster than float32 on any backend)"
	}
	return ""
}

// setupPrecision applies cfg.Precision to the model and, in mixed
// precision, makes the dynamic loss scaler, continuing the checkpoint's
// (ck may be nil) when it records one.
func (r *run) setupPrecision(ck *checkpoint.Checkpoint) error {
	p, note, err := ApplyPrecision(r.m, r.cfg.Precision)
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(r.log, note)
	}
	if p != layers.PrecisionMixed {
		return nil
	}
	s := layers.NewLossScaler()
	if ck != nil {
		found, err := s.LoadState(ck.Meta.Extra)
		if err != nil {
			return fmt.Errorf("--resume %s: %w", ck.Path, err)
		}
		if found {
			fmt.Fprintf(r.log, "loss scale %g resumed (%d steps skipped so far)\n", s.Scale, s.Skipped)
		}
	}
	r.pos.scaler = s
	r.m.SetLossScale(s.Scale)
	return nil
}

// scaledStep takes the outcome of a mixed-precision step whose gradients
// (scaled by the loss scale) have the sum of squares g2: non-finite skips
// the optimizer step and halves the scale; finite unscales the gradients
// for the optimizer. The next step runs at the updated scale. It returns
// whether the step is skipped, or an error wrapping ErrDiverged when the
// gradients are non-finite at the smallest scale.
func (r *run) scaledStep(g2 float64) (skip bool, err error) {
	s := r.pos.scaler
	step, err := s.Step(g2, r.b, r.m.Params())
	if err != nil {
		return false, fmt.Errorf("%v: %w", err, ErrDiverged)
	}
	r.m.SetLossScale(s.Scale)
	return !step, nil
}

// skippedSteps is the number of mixed-precision steps skipped so far (0
// in float32).
func (r *run) skippedSteps() int64 {
	if r.pos.scaler == nil {
		return 0
	}
	return r.pos.scaler.Skipped
}

// ApplyPrecision is how every command (train, bench step, eval) sets a
// model to --precision flag: resolved, refused where mixedRefused says so,
// set, and returned with the note to print ("" for none).
func ApplyPrecision(m *layers.Model, flag string) (layers.Precision, string, error) {
	p, err := ResolvePrecision(flag)
	if err != nil {
		return p, "", err
	}
	if err := mixedRefused(p, m.Backend()); err != nil {
		return p, "", err
	}
	m.SetPrecision(p)
	return p, precisionNote(flag, p, m.Backend().Name(), m.Float16Stored()), nil
}

// mixedRefused fails mixed precision on a backend whose float16 storage
// is refused (engine/vulkan's deny list: a device and driver known to
// store or compute float16 wrongly) rather than emulating it: the user
// asked for mixed, and the error says how to get float32.
func mixedRefused(p layers.Precision, b engine.Backend) error {
	if p != layers.PrecisionMixed {
		return nil
	}
	if err := engine.Float16Support(b); errors.Is(err, engine.ErrFeatureDenied) {
		return fmt.Errorf("--precision mixed: %w", err)
	}
	return nil
}
