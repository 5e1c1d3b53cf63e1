package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/layers/layerstest"
)

// TestEvalPrecision: eval knn and eval linear take --precision mixed (the
// frozen encoder's float16 features; simclr/eval's TestMixedFeatures checks
// the values) and still separate the colour classes; finetune takes
// --precision mixed (simclr/eval's TestFineTuneMixed* check the training)
// and records the precision, the skipped steps and the loss scale in
// finetune.json, and fp32 there under --precision auto.
func TestEvalPrecision(t *testing.T) {
	dir := t.TempDir()
	ck, _ := tinyCheckpoint(t, filepath.Join(dir, "run"), tinyEnc, 8)
	ds := filepath.Join(dir, "data")
	colourData(t, ds, 3, 8, 96, 40, false)
	common := []string{"--checkpoint", ck, "--data", ds, "--backend", "cpu", "--batch", "32", "--precision", "mixed"}

	knnOut := filepath.Join(dir, "knn.json")
	if err := runEvalKNN(append(common, "--k", "10", "--out", knnOut)); err != nil {
		t.Fatal(err)
	}
	var kr knnResult
	readJSON(t, knnOut, &kr)
	if kr.TestN != 40 || kr.Top1 < 0.9 {
		t.Errorf("knn --precision mixed: %+v", kr)
	}
	linOut := filepath.Join(dir, "linear.json")
	if err := runEvalLinear(append(common, "--epochs", "15", "--lr", "0.5", "--out", linOut)); err != nil {
		t.Fatal(err)
	}
	var lr linearResult
	readJSON(t, linOut, &lr)
	if lr.TestTop1 < 0.9 {
		t.Errorf("linear --precision mixed: %+v", lr)
	}
	ft := filepath.Join(dir, "ft")
	if err := runFinetune(append(common, "--epochs", "1", "--label-fraction", "0.5", "--from-stage", "4", "--out", ft)); err != nil {
		t.Fatalf("finetune --precision mixed: %v", err)
	}
	var fr finetuneResult
	readJSON(t, filepath.Join(ft, "finetune.json"), &fr)
	raw, err := os.ReadFile(filepath.Join(ft, "finetune.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fr.Precision != "mixed" || fr.LossScale == 0 || !strings.Contains(string(raw), `"skipped_steps":`) || fr.LabeledN != 48 {
		t.Errorf("finetune --precision mixed: %+v\n%s", fr, raw)
	}
	ft = filepath.Join(dir, "ft-auto")
	if err := runFinetune(append(common[:len(common)-1], "auto", "--epochs", "1", "--label-fraction", "0.5", "--out", ft)); err != nil {
		t.Errorf("finetune --precision auto: %v", err)
	}
	fr = finetuneResult{}
	readJSON(t, filepath.Join(ft, "finetune.json"), &fr)
	if fr.Precision != "fp32" || fr.SkippedSteps != 0 || fr.LossScale != 0 {
		t.Errorf("finetune --precision auto: %+v", fr)
	}
}

// deniedFloat16 is a CPU backend whose float16 storage is refused as
// engine/vulkan refuses it on a deny-listed device and driver.
type deniedFloat16 struct{ *cpu.Backend }

func (deniedFloat16) Float16Storage() error {
	return fmt.Errorf("engine/vulkan: %w: float16 storage refused on \"GPU\" (driver X): why; use --precision fp32", engine.ErrFeatureDenied)
}

// TestPrecisionFlagDenied: finetune's and eval's --precision mixed pass
// check (no refusal up front: the device is not open yet) and are refused
// by apply on a device whose float16 storage is denied, the model left in
// float32; on the CPU apply sets mixed.
func TestPrecisionFlagDenied(t *testing.T) {
	for _, trains := range []bool{true, false} {
		fs := newFlags("finetune")
		pf := addPrecisionFlag(fs, trains)
		if err := fs.Parse([]string{"--precision", "mixed"}); err != nil {
			t.Fatal(err)
		}
		if err := pf.check(); err != nil {
			t.Fatalf("trains %v: check: %v", trains, err)
		}
		cfg := layerstest.TinyConfig("resnet18", layers.StemCIFAR)
		denied := layerstest.NewModel(t, deniedFloat16{cpu.New(cpu.Options{Threads: 1})}, cfg)
		if err := pf.apply(denied); !errors.Is(err, engine.ErrFeatureDenied) || !strings.Contains(err.Error(), "--precision fp32") {
			t.Errorf("trains %v: mixed on a denied device: %v", trains, err)
		}
		if denied.Precision() != layers.PrecisionFP32 {
			t.Errorf("trains %v: the refused model is %v", trains, denied.Precision())
		}
		m := layerstest.NewModel(t, cpu.New(cpu.Options{Threads: 1}), cfg)
		if err := pf.apply(m); err != nil || m.Precision() != layers.PrecisionMixed {
			t.Errorf("trains %v: mixed on the CPU: %v, model %v", trains, err, m.Precision())
		}
		denied.Release()
		m.Release()
	}
}
