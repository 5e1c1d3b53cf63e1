package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"simclr-vk/internal/bound"
	"simclr-vk/internal/regfile"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/train"
)

// The training flags are train.Config's JSON keys: bindTrainFlags registers
// them, resolveTrainConfig fills the ones not given from --config and the
// resumed checkpoint (explicit flags > --config file > checkpoint >
// defaults), so DIR/config.json given back with --config is the same run.

// bindTrainFlags registers the training flags on fs, writing into cfg;
// cfg's current values are the defaults shown. The backend flags
// (--backend, --device, --coopmat, ...) are registered on the same fs by
// addBackendFlags: resolveTrainConfig applies file values to them too.
func bindTrainFlags(fs *pflag.FlagSet, cfg *train.Config) {
	fs.StringVar(&cfg.Data, "data", cfg.Data, "dataset path or known name (fashion-mnist, mnist, a .svk file from simclr-vk prepare)")
	fs.StringVar(&cfg.DataFormat, "data-format", cfg.DataFormat, "dataset format override: "+strings.Join(data.Formats, ", "))
	fs.IntVar(&cfg.ImageSize, "image-size", cfg.ImageSize, "view side in pixels (0: the dataset's image side, the nominal one where sizes vary); when set, image folders are read at each image's own size, the views cropped from the originals (the kNN monitor resizes with the eval transform)")
	fs.BoolVar(&cfg.SkipBad, "skip-bad", cfg.SkipBad, "image folders: leave out files that do not decode (they are listed) instead of failing")
	fs.StringVar(&cfg.Arch, "arch", cfg.Arch, "encoder: resnet18, resnet34 or resnet50")
	fs.StringVar(&cfg.Stem, "stem", cfg.Stem, "cifar (3x3 conv, no max-pool), imagenet (7x7/2 conv + max-pool) or auto (cifar at <= 32 px)")
	fs.Float64Var(&cfg.Width, "width", cfg.Width, "channel multiplier on every stage (1 = 64 base channels as torchvision)")
	fs.IntSliceVar(&cfg.ProjDims, "proj-dims", cfg.ProjDims, "projection head hidden,out dims (hidden 0: the encoder's feature dim)")
	fs.IntVar(&cfg.BatchSize, "batch-size", cfg.BatchSize, "images per step N (2N views)")
	fs.StringVar(&cfg.MicroBatch, "micro-batch", cfg.MicroBatch, "images per chunk of a step: 0 (the whole batch), 1..batch-size, or auto (the largest that fits the memory); the loss stays over the whole batch, BN statistics are per chunk, one extra forward")
	fs.StringVar(&cfg.Precision, "precision", cfg.Precision, "fp32 (exact float32), mixed (activations and their gradients rounded to float16, float32 master weights, BN statistics, loss and optimizer, dynamic loss scaling; stored as float16 tensors on Vulkan devices with 16-bit storage (half their memory, not yet faster), EMULATED in float32 memory on the CPU) or auto (fp32 for now)")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "epochs (the LR schedule spans them)")
	fs.BoolVar(&cfg.DropLast, "drop-last", cfg.DropLast, "drop the last short batch of each epoch (--drop-last=false keeps it; its loss uses its own size)")
	fs.StringVar(&cfg.Optimizer, "optimizer", cfg.Optimizer, "lars, sgd or adamw")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "base learning rate, scaled by --lr-scaling (reference: 0.075 sqrt, 0.3 linear)")
	fs.StringVar(&cfg.LRScaling, "lr-scaling", cfg.LRScaling, "peak lr from the base: linear (lr*B/256), sqrt (lr*sqrt(B)) or none")
	fs.Float64Var(&cfg.WarmupEpochs, "warmup-epochs", cfg.WarmupEpochs, "linear warm-up epochs, then cosine decay to 0 (per step)")
	fs.Float64Var(&cfg.WeightDecay, "weight-decay", cfg.WeightDecay, "weight decay (never on BN parameters and biases)")
	fs.Float64Var(&cfg.Momentum, "momentum", cfg.Momentum, "momentum (lars, sgd)")
	fs.Float64Var(&cfg.Temperature, "temperature", cfg.Temperature, "NT-Xent temperature tau")
	fs.BoolVar(&cfg.GlobalBN, "global-bn", cfg.GlobalBN, "data-parallel (mpirun): batch-norm statistics over the global batch, as the reference; --global-bn=false normalises each rank's images alone")
	fs.IntVar(&cfg.BNGroups, "bn-groups", cfg.BNGroups, "normalise each rank's batch in this many groups of consecutive images (0, 1: one group); on one rank, --bn-groups G reproduces --global-bn=false on G ranks")
	fs.Int64Var(&cfg.SyncCheck, "sync-check", cfg.SyncCheck, "data-parallel debugging: check every K steps that every rank holds the same parameters (0: only after a resume)")
	fs.Float64Var(&cfg.ColorJitterStrength, "color-jitter-strength", cfg.ColorJitterStrength, "colour jitter strength s (1.0 ImageNet, 0.5 CIFAR)")
	fs.Float64Var(&cfg.CropMinScale, "crop-min-scale", cfg.CropMinScale, "random resized crop: smallest area fraction (reference 0.08)")
	fs.StringVar(&cfg.Blur, "blur", cfg.Blur, "Gaussian blur: auto (on above 32 px), on, off")
	fs.Float64Var(&cfg.SolarizeProb, "solarize-prob", cfg.SolarizeProb, "solarisation probability per view (BYOL: values >= 0.5 become 1-x, after blur; 0: off)")
	fs.StringVar(&cfg.AugmentOn, "augment-on", cfg.AugmentOn, "where the views are rendered: gpu (the Vulkan device, from the uint8 images), cpu (the loader's workers) or auto (gpu on a Vulkan GPU when the largest image fits one upload to the device, else cpu); with --micro-batch chunks the device renders a chunk at a time")
	fs.Float64Var(&cfg.NoiseStd, "noise-std", cfg.NoiseStd, "additive Gaussian noise std on [0, 1] values, last before normalisation (0: off)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the initialisation, subset, data order and augmentations")
	fs.StringVar(&cfg.Out, "out", cfg.Out, "output directory: config.json, metrics.jsonl, plot.png, checkpoints")
	fs.IntVar(&cfg.Subset, "subset", cfg.Subset, "train on the first N images of a fixed seeded permutation (0: all)")
	fs.Int64Var(&cfg.MaxSteps, "max-steps", cfg.MaxSteps, "stop (with a checkpoint) after this many optimizer steps in total; the schedule still spans --epochs (0: no limit)")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "augmentation goroutines (0: all cores)")
	fs.IntVar(&cfg.LogEvery, "log-every", cfg.LogEvery, "write a step record to metrics.jsonl every N steps")
	fs.IntVar(&cfg.KNNEvery, "knn-every", cfg.KNNEvery, "kNN monitor every E epochs, also before and after training (0: only before and after)")
	fs.IntVar(&cfg.KNNK, "knn-k", cfg.KNNK, "kNN monitor neighbours k")
	fs.Float64Var(&cfg.KNNT, "knn-t", cfg.KNNT, "kNN monitor temperature of the weights exp(sim/t)")
	fs.IntVar(&cfg.KNNSubset, "knn-subset", cfg.KNNSubset, "test images used as kNN queries (0: the whole test split)")
	fs.IntVar(&cfg.KNNBank, "knn-bank", cfg.KNNBank, "training images in the kNN bank (0: all training images used)")
	fs.IntVar(&cfg.SaveEvery, "save-every", cfg.SaveEvery, "checkpoint every E epochs (0: only at the end); always at the end and on Ctrl-C")
	fs.IntVar(&cfg.Keep, "keep", cfg.Keep, "checkpoints kept in --out (0: all)")
	fs.StringVar(&cfg.Resume, "resume", cfg.Resume, "continue a run from a checkpoint file or directory (its config is used unless overridden by flags)")
	fs.StringVar(&cfg.ConfigFile, "config", cfg.ConfigFile, "JSON file with any of these flags as keys (explicit flags override it)")
}

// resolveTrainConfig runs after fs.Parse. Every flag not set on the command
// line takes its value from the --config file, else, when resuming, from
// the checkpoint's recorded configuration. It returns the checkpoint loaded
// for --resume (nil otherwise), records the backend flags bf in
// cfg.Backend, Device and CoopMat, and validates cfg; a bad value from the
// --config file or the checkpoint is reported as such.
func resolveTrainConfig(fs *pflag.FlagSet, cfg *train.Config, bf *backendFlags) (*checkpoint.Checkpoint, error) {
	explicit := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { explicit[f.Name] = true })
	fromFile := map[string]bool{}
	if cfg.ConfigFile != "" {
		b, err := readConfigFile(cfg.ConfigFile)
		if err != nil {
			return nil, fmt.Errorf("--config: %w", err)
		}
		if err := applyJSON(fs, b, func(name string) bool { return !explicit[name] }, fromFile); err != nil {
			return nil, fmt.Errorf("--config %s: %w", cfg.ConfigFile, err)
		}
	}
	var ck *checkpoint.Checkpoint
	if cfg.Resume != "" {
		var err error
		if ck, err = checkpoint.Load(cfg.Resume); err != nil {
			return nil, fmt.Errorf("--resume: %w", err)
		}
		if len(ck.Meta.Config) == 0 {
			return nil, fmt.Errorf("--resume %s: the checkpoint records no training configuration (not written by simclr-vk train)", ck.Path)
		}
		// The recorded "out" is where the run was, not where it is: a run
		// directory copied or moved elsewhere is continued in place.
		skip := func(name string) bool { return !explicit[name] && !fromFile[name] && name != "out" }
		if err := applyJSON(fs, ck.Meta.Config, skip, nil); err != nil {
			return nil, fmt.Errorf("--resume %s: recorded configuration: %w", ck.Path, err)
		}
		if !explicit["out"] && !fromFile["out"] {
			cfg.Out = resumeDir(cfg.Resume)
		}
	}
	cfg.Backend, cfg.Device, cfg.CoopMat = *bf.backend, *bf.device, *bf.coopmat
	if err := cfg.Validate(); err != nil {
		// Name where a bad value came from: the --config file's key or
		// the resumed checkpoint's recorded configuration.
		switch f := bound.FlagOf(err); {
		case fromFile[f]:
			return nil, fmt.Errorf("--config %s: key %q: %w", cfg.ConfigFile, f, err)
		case f != "" && ck != nil && !explicit[f]:
			return nil, fmt.Errorf("--resume %s: recorded configuration: %w", ck.Path, err)
		}
		return nil, err
	}
	return ck, nil
}

// resumeDir is the run directory of a --resume path: the directory itself,
// or the one holding the checkpoint file.
func resumeDir(path string) string {
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		return filepath.Dir(path)
	}
	return path
}

// applyJSON sets the flags named by the keys of a JSON object (keys may use
// '-' or '_') for which want is true, recording them in set.
func applyJSON(fs *pflag.FlagSet, js []byte, want func(string) bool, set map[string]bool) error {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return fmt.Errorf("want a JSON object of flag values: %w", err)
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		name := strings.ReplaceAll(k, "_", "-")
		f := fs.Lookup(name)
		if f == nil || name == "config" || name == "resume" {
			return fmt.Errorf("unknown key %q (keys are the flag names of simclr-vk train)", k)
		}
		if !want(name) {
			continue
		}
		val, null, err := flagString(obj[k], f.Value.Type())
		if err != nil {
			return fmt.Errorf("key %q: %w", k, err)
		}
		if null {
			continue
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			err = sv.Replace(splitList(val))
		} else {
			err = f.Value.Set(val)
		}
		if err != nil {
			return fmt.Errorf("key %q: %q: %w", k, val, err)
		}
		f.Changed = true
		if set != nil {
			set[name] = true
		}
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// flagString turns a JSON value into the text a flag of type typ (pflag's
// Value.Type) parses. The JSON type must match: a string for a string flag,
// a boolean for a bool, a number for a numeric flag, an array of numbers
// for a list; null leaves the flag as it is.
func flagString(raw json.RawMessage, typ string) (s string, null bool, err error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", false, err
	}
	want := "a number"
	switch typ {
	case "string":
		want = "a string"
	case "bool":
		want = "a boolean"
	case "intSlice":
		want = "an array of integers"
	}
	scalar := func(v any, want string) (string, error) {
		switch x := v.(type) {
		case string:
			if want == "a string" {
				return x, nil
			}
		case json.Number:
			if want == "a number" {
				return x.String(), nil
			}
		case bool:
			if want == "a boolean" {
				return strconv.FormatBool(x), nil
			}
		}
		got, _ := json.Marshal(v)
		if len(got) > 40 {
			got = append(got[:40], "..."...)
		}
		return "", fmt.Errorf("want %s, got %s", want, got)
	}
	switch x := v.(type) {
	case nil:
		return "", true, nil
	case []any:
		if typ != "intSlice" {
			break
		}
		parts := make([]string, len(x))
		for i, e := range x {
			if parts[i], err = scalar(e, "a number"); err != nil {
				return "", false, fmt.Errorf("element %d: %w", i, err)
			}
		}
		return strings.Join(parts, ","), false, nil
	}
	s, err = scalar(v, want)
	return s, false, err
}

// maxConfigBytes bounds a --config file: a configuration is a few hundred
// bytes of JSON, so anything larger is not one.
const maxConfigBytes = 1 << 20

// readConfigFile reads a --config file: a regular file (never a FIFO or
// device, which could block or never end) of at most maxConfigBytes.
func readConfigFile(path string) ([]byte, error) {
	return regfile.ReadChecked(path, func(_ io.ReaderAt, size int64) error {
		if size > maxConfigBytes {
			return fmt.Errorf("%s: %d bytes is not a configuration (at most %d)", path, size, maxConfigBytes)
		}
		return nil
	})
}
