package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/internal/bound"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/modelio"
	"simclr-vk/simclr/train"
)

// archFlags describe the model when the weights record no architecture.
type archFlags struct {
	fs                  *pflag.FlagSet
	arch, stem          *string
	width               *float64
	inChannels          *int
	projHidden, projOut *int
	projLayers          *int
}

func addArchFlags(fs *pflag.FlagSet) *archFlags {
	return &archFlags{fs: fs,
		arch:       fs.String("arch", "", "encoder when the weights record none: resnet18, resnet34, resnet50 (default: inferred from the tensors)"),
		stem:       fs.String("stem", "", "stem when the weights record none: cifar or imagenet (default: from conv1's kernel)"),
		width:      fs.Float64("width", 0, "width multiplier when the weights record none (default: conv1's channels / 64)"),
		inChannels: fs.Int("in-channels", 0, "input channels when the weights record none (default: from conv1)"),
		projLayers: fs.Int("proj-layers", 0, "projection head linear layers (0: 2, SimCLR v1)"),
		projHidden: fs.Int("proj-hidden", 0, "projection head hidden width (0: the feature width)"),
		projOut:    fs.Int("proj-out", 0, "projection head output width (0: 128)"),
	}
}

// changed reports whether any architecture flag was given.
func (a *archFlags) changed() bool {
	for _, n := range []string{"arch", "stem", "width", "in-channels", "proj-layers", "proj-hidden", "proj-out"} {
		if a.fs.Changed(n) {
			return true
		}
	}
	return false
}

// config is the architecture of w: the recorded one (flags must agree with
// it), else inferred from the tensors and overridden by the flags.
func (a *archFlags) config(w *modelio.Weights) (cfg layers.Config, size int, err error) {
	if rec := w.Arch(); len(rec) > 0 {
		if cfg, size, err = modelio.ParseArchImage(rec); err != nil {
			return cfg, 0, err
		}
		if a.changed() {
			want := a.apply(cfg)
			if want != cfg {
				return cfg, 0, fmt.Errorf("the weights record %s; the flags ask for %s (leave the flags out)", modelio.Describe(cfg), modelio.Describe(want))
			}
		}
		return cfg, size, nil
	}
	if cfg, err = w.InferArch(); err != nil && !(*a.arch != "" && *a.stem != "" && *a.width > 0 && *a.inChannels > 0) {
		return cfg, 0, err
	}
	return a.apply(cfg), 0, nil
}

// apply overrides cfg with the flags that were given.
func (a *archFlags) apply(cfg layers.Config) layers.Config {
	if *a.arch != "" {
		cfg.Encoder.Arch = *a.arch
	}
	if *a.stem != "" {
		cfg.Encoder.Stem = layers.Stem(*a.stem)
	}
	if *a.width > 0 {
		cfg.Encoder.Width = *a.width
	}
	if *a.inChannels > 0 {
		cfg.Encoder.InChannels = *a.inChannels
	}
	if a.fs.Changed("proj-layers") || a.fs.Changed("proj-hidden") || a.fs.Changed("proj-out") {
		cfg.Head.Layers, cfg.Head.Hidden, cfg.Head.Out = *a.projLayers, *a.projHidden, *a.projOut
	}
	return cfg.WithDefaults()
}

// readWeights reads --from or --init-from weights (modelio.ReadWeights)
// and their architecture (config), refusing a model whose parameters would
// not fit in memory; notes are to be printed once the weights are applied.
func (a *archFlags) readWeights(path string) (w *modelio.Weights, cfg layers.Config, size int, notes []string, err error) {
	if w, notes, err = modelio.ReadWeights(path); err != nil {
		return nil, cfg, 0, nil, err
	}
	if cfg, size, err = a.config(w); err != nil {
		return nil, cfg, 0, nil, err
	}
	if err := modelMemory(cfg, 0, 0, 0, "width", "proj-hidden"); err != nil {
		return nil, cfg, 0, nil, err
	}
	return w, cfg, size, notes, nil
}

// buildWeights builds a model of cfg on b holding the weights w and
// prints the notes of reading and applying them.
func buildWeights(b engine.Backend, cfg layers.Config, w *modelio.Weights, notes []string) (*layers.Model, error) {
	m, err := layers.NewModel(b, cfg)
	if err != nil {
		return nil, err
	}
	more, err := w.Apply(m)
	if err != nil {
		m.Release()
		return nil, err
	}
	for _, n := range append(notes, more...) {
		fmt.Fprintln(os.Stderr, "note:", n)
	}
	return m, nil
}

func runImport(args []string) error {
	fs := newFlags("import")
	from := fs.String("from", "", "weights: .safetensors with torchvision state-dict names (fc.* ignored), or a simclr-vk checkpoint")
	out := fs.String("out", "", "checkpoint directory to write")
	size := fs.Int("image-size", 0, "record this training image side in the checkpoint (0: the recorded one, or unknown)")
	seed := fs.Uint64("seed", 1, "initialisation seed of the projection head when the weights have none")
	af := addArchFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *out == "" {
		return fmt.Errorf("--from and --out are required")
	}
	if err := bound.Check(af.check(), bound.Int("image-size", int64(*size), 0, train.MaxImageSide),
		bound.WritableDir("out", *out)); err != nil {
		return err
	}
	if err := checkRunDirOutput(ioPath{"out", *out}, nil, ioPath{"from", *from}); err != nil {
		return err
	}
	lock, err := lockNewRunDir("out", *out)
	if err != nil {
		return err
	}
	defer lock.Release()
	w, cfg, recSize, notes, err := af.readWeights(*from)
	if err != nil {
		return err
	}
	if *size > 0 {
		recSize = *size
	}
	cfg.Seed = *seed
	b := cpu.New(cpu.Options{})
	defer b.Close()
	m, err := buildWeights(b, cfg, w, notes)
	if err != nil {
		return err
	}
	defer m.Release()
	ts, err := modelio.Tensors(m)
	if err != nil {
		return err
	}
	cfg.Seed = 0
	path, err := checkpoint.Dir{Path: *out}.Save(&checkpoint.Checkpoint{
		Meta:    checkpoint.Meta{Arch: modelio.ArchJSONImage(cfg, recSize), Extra: map[string]string{"imported_from": *from}},
		Tensors: ts,
	})
	if err != nil {
		return err
	}
	fmt.Printf("imported %s (%s, %d parameters) into %s\n", *from, modelio.Describe(cfg), layers.CountParams(m), path)
	return nil
}
