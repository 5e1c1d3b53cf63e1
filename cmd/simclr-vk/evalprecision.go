package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"simclr-vk/internal/bound"
	"simclr-vk/layers"
	"simclr-vk/simclr/train"
)

// precisionFlag is --precision of the commands that run a trained encoder:
// eval knn and eval linear run it forward only (the features rounded to
// float16 as train --precision mixed computes them); finetune (trains)
// trains it in mixed precision as train does, with dynamic loss scaling
// at its cross-entropy (eval.FineTune).
type precisionFlag struct {
	s *string
}

func addPrecisionFlag(fs *pflag.FlagSet, trains bool) *precisionFlag {
	help := "fp32, mixed (the frozen encoder's activations and features rounded to float16 as train --precision mixed computes them, stored as float16 on Vulkan devices with 16-bit storage, EMULATED in float32 memory on the CPU; the classifier trains in float32) or auto (fp32 for now)"
	if trains {
		help = "fp32, mixed (the encoder's activations and their gradients rounded to float16 as train --precision mixed rounds them, the classifier's logits and cross-entropy float32, dynamic loss scaling: steps whose gradients overflow are skipped, counted in finetune.json's skipped_steps; stored as float16 on Vulkan devices with 16-bit storage, EMULATED in float32 memory on the CPU) or auto (fp32 for now)"
	}
	return &precisionFlag{s: fs.String("precision", train.PrecisionFP32, help)}
}

// check validates the flag before any work.
func (p *precisionFlag) check() error {
	if _, err := train.ResolvePrecision(*p.s); err != nil {
		return bound.Errorf("precision", "%q: want fp32, mixed or auto", *p.s)
	}
	return nil
}

// apply sets m's precision (check passed), noting the emulation on
// stderr; mixed on a device whose float16 storage is refused is an error.
func (p *precisionFlag) apply(m *layers.Model) error {
	_, note, err := train.ApplyPrecision(m, *p.s)
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(os.Stderr, note)
	}
	return nil
}

// openEval is the opening eval knn and eval linear share: the preflight
// checks (out, more and the precision flag), the checkpoint and both
// splits opened, and the model set to the precision. The caller closes.
func openEval(mf *modelDataFlags, bf *backendFlags, pf *precisionFlag, out string, more ...error) (*evalInput, error) {
	if err := mf.preflight(bf, []ioPath{{"out", out}}, append(more, pf.check())...); err != nil {
		return nil, err
	}
	e, err := openModelData(mf, bf, true)
	if err != nil {
		return nil, err
	}
	if err := pf.apply(e.m); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}
