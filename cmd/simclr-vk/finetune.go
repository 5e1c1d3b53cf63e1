package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"simclr-vk/internal/bound"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/eval"
	"simclr-vk/simclr/modelio"
)

// finetuneResult is the JSON written next to the fine-tuned checkpoint.
type finetuneResult struct {
	Source string `json:"source"`
	Data   string `json:"data"`
	eval.FineTuneResult
}

func runFinetune(args []string) error {
	fs := newFlags("finetune")
	mf := addModelDataFlags(fs)
	initFrom := fs.String("init-from", "", "start from torchvision-named weights (.safetensors) instead of --checkpoint")
	frac := fs.Float64("label-fraction", 0.1, "fraction of the training labels used, class-balanced, in (0, 1] (0.01 and 0.1 in the paper)")
	stage := fs.Int("from-stage", 0, "first trained stage: 0 everything, 1-4 layer1..layer4 on (earlier stages frozen in eval mode), 5 only the classifier")
	cf := addClassifierFlags(fs, eval.FineTuneEpochs, "epochs over the labelled subset (paper: 60 for 1 %, 30 for 10 %)",
		eval.FineTuneLRBase, "label subset, shuffling, augmentation and classifier seed")
	out := fs.String("out", "finetune", "directory for the fine-tuned checkpoint and finetune.json")
	af := addArchFlags(fs)
	bf := addBackendFlags(fs, "auto")
	pf := addPrecisionFlag(fs, true)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*mf.checkpoint == "") == (*initFrom == "") {
		return fmt.Errorf("give exactly one of --checkpoint and --init-from")
	}
	if err := bound.Check(mf.check(), af.check(), bf.check(),
		bound.Float("label-fraction", *frac, 0, 1, true),
		bound.Int("from-stage", int64(*stage), 0, eval.Stages),
		cf.check(), pf.check(),
		bound.WritableDir("out", *out)); err != nil {
		return err
	}
	if *mf.checkpoint != "" && af.changed() {
		return fmt.Errorf("--arch, --stem, --width, --in-channels and --proj-* describe --init-from weights; a --checkpoint records its architecture")
	}
	ins := []ioPath{{"checkpoint", *mf.checkpoint}, {"init-from", *initFrom}, {"data", *mf.data}}
	if err := checkRunDirOutput(ioPath{"out", *out}, []string{"finetune.json"}, ins...); err != nil {
		return err
	}
	lock, err := lockNewRunDir("out", *out)
	if err != nil {
		return err
	}
	defer lock.Release()
	var e *evalInput
	source := *mf.checkpoint
	if *mf.checkpoint != "" {
		var err error
		if e, err = openModel(*mf.checkpoint, bf); err != nil {
			return err
		}
		source = e.ck.Path
	} else {
		source = *initFrom
		w, cfg, size, notes, err := af.readWeights(*initFrom)
		if err != nil {
			return err
		}
		b, err := bf.open()
		if err != nil {
			return err
		}
		e = &evalInput{b: b, cfg: cfg, trainedSize: size}
		if e.m, err = buildWeights(b, cfg, w, notes); err != nil {
			e.close()
			return err
		}
	}
	defer e.close()
	if err := pf.apply(e.m); err != nil { // mixed on a device whose float16 is refused: an error
		return err
	}
	e.training = true
	if err := e.openData(mf, true); err != nil {
		return err
	}
	res, fc, err := eval.FineTune(e.m, e.train, e.test, eval.FineTuneConfig{
		LabelFraction: *frac, FromStage: *stage, Size: e.size, Epochs: *cf.epochs, Batch: *mf.batch, LR: *cf.lr, Seed: *cf.seed,
		Workers: *mf.workers, Progress: epochProgress,
	})
	if err != nil {
		return err
	}
	if res.Precision == layers.PrecisionMixed.String() {
		fmt.Printf("mixed precision: %d steps skipped (gradients overflowing float16 at the loss scale), final loss scale %g\n", res.SkippedSteps, res.LossScale)
	}
	fmt.Printf("fine-tuned on %d labelled images (%g of the labels, from stage %d, %d epochs): test top-1 %s",
		res.LabeledN, res.LabelFraction, res.FromStage, res.Epochs, pct(res.TestTop1))
	if res.HasTop5 {
		fmt.Printf(", top-5 %s", pct(res.TestTop5))
	}
	fmt.Println()
	ts, err := modelio.Tensors(e.m)
	if err != nil {
		return err
	}
	result := finetuneResult{Source: source, Data: *mf.data, FineTuneResult: res}
	cfgJSON, _ := json.Marshal(result)
	path, err := checkpoint.Dir{Path: *out}.Save(&checkpoint.Checkpoint{
		Meta: checkpoint.Meta{
			Config: cfgJSON,
			Epoch:  res.Epochs,
			Arch:   modelio.ArchJSONImage(modelio.ModelConfig(e.m), e.size),
			Extra:  map[string]string{"finetuned_from": source, "classes": fmt.Sprint(res.Classes)},
		},
		Tensors: append(ts, fc...),
	})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (encoder, head and classifier fc.*)\n", path)
	return writeJSON(filepath.Join(*out, "finetune.json"), result)
}
