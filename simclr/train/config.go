package train

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"simclr-vk/internal/bound"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/modelio"
	"simclr-vk/simclr/schedule"
)

// Config is one training run. JSON keys are the flag names.
type Config struct {
	Data       string `json:"data"`        // dataset path or known name
	DataFormat string `json:"data-format"` // format override ("" detects)
	ImageSize  int    `json:"image-size"`  // view side (0: the dataset's image side)
	SkipBad    bool   `json:"skip-bad"`    // image folders: leave out files that do not decode

	Arch      string  `json:"arch"`      // resnet18, resnet34, resnet50
	Stem      string  `json:"stem"`      // cifar, imagenet, auto (cifar at <= 32 px)
	Width     float64 `json:"width"`     // channel multiplier (1 = 64 base channels)
	ProjDims  []int   `json:"proj-dims"` // projection head hidden,out (hidden 0: the feature dim d)
	BatchSize int     `json:"batch-size"`
	Epochs    int     `json:"epochs"`
	DropLast  bool    `json:"drop-last"` // drop the last short batch of an epoch

	// MicroBatch: images per chunk of a step (gradient caching): "0" (the
	// whole batch), 1..batch-size, or "auto" (the largest that fits).
	MicroBatch string `json:"micro-batch"`

	// Precision: fp32, mixed (float16 activations and gradients, emulated
	// on every backend for now; dynamic loss scaling) or auto (fp32 until
	// float16-storage kernels exist). See precision.go.
	Precision string `json:"precision,omitempty"`

	Optimizer    string  `json:"optimizer"`     // lars, sgd, adamw
	LR           float64 `json:"lr"`            // base learning rate (scaled by LRScaling)
	LRScaling    string  `json:"lr-scaling"`    // linear (base*B/256), sqrt (base*sqrt(B)), none
	WarmupEpochs float64 `json:"warmup-epochs"` // linear warm-up, then cosine decay to 0
	WeightDecay  float64 `json:"weight-decay"`
	Momentum     float64 `json:"momentum"` // lars, sgd
	Temperature  float64 `json:"temperature"`

	// Data parallelism (a world of several ranks: mpirun).
	GlobalBN  bool  `json:"global-bn"`  // batch statistics over the global batch (world > 1)
	BNGroups  int   `json:"bn-groups"`  // per-rank BN in groups of this many parts of the rank's batch (0, 1: none)
	SyncCheck int64 `json:"sync-check"` // compare the ranks' model hashes every K steps (0: only after a resume)

	ColorJitterStrength float64 `json:"color-jitter-strength"`
	CropMinScale        float64 `json:"crop-min-scale"` // smallest crop area fraction (reference 0.08)
	Blur                string  `json:"blur"`           // auto, on, off
	SolarizeProb        float64 `json:"solarize-prob"`  // solarisation probability per view (BYOL; 0: off)
	NoiseStd            float64 `json:"noise-std"`      // additive Gaussian noise std on [0, 1] values (0: off)
	AugmentOn           string  `json:"augment-on"`     // where views are rendered: auto, gpu, cpu

	Seed      uint64  `json:"seed"`
	Backend   string  `json:"backend,omitempty"` // recorded; set by the command
	Device    string  `json:"device,omitempty"`
	CoopMat   string  `json:"coopmat,omitempty"` // Vulkan --coopmat (float16 product inputs); recorded, resumed
	Out       string  `json:"out"`
	Subset    int     `json:"subset"`    // train on the first N of a fixed seeded permutation (0: all)
	MaxSteps  int64   `json:"max-steps"` // stop after this global step (0: run all epochs)
	Workers   int     `json:"workers"`   // augmentation goroutines (0: all cores)
	LogEvery  int     `json:"log-every"` // a metrics.jsonl step record every N steps
	KNNEvery  int     `json:"knn-every"` // kNN monitor every E epochs (0: only before and after training)
	KNNK      int     `json:"knn-k"`
	KNNT      float64 `json:"knn-t"`
	KNNSubset int     `json:"knn-subset"` // test images used as queries (0: all)
	KNNBank   int     `json:"knn-bank"`   // training images in the bank (0: all of the training set)
	SaveEvery int     `json:"save-every"` // checkpoint every E epochs (0: only at the end)
	Keep      int     `json:"keep"`       // checkpoints kept (0: all)

	// Not part of the recorded configuration.
	Resume     string `json:"-"` // checkpoint file or directory to continue from
	ConfigFile string `json:"-"` // --config
}

// Defaults is the README's main job: on the default dataset (Fashion-MNIST,
// 28x28 gray; a fixed 10k-image subset) a ResNet-18 at width 1/8 (CIFAR
// stem, d = 64) trains for 3 epochs of batch 128 in a few minutes on a
// 2-core machine with the CPU backend and lifts the kNN top-1 of the random
// encoder from about 38% to about 70%. Departures from the reference
// defaults, all measured on that job: batch 128 (more steps in a short
// run), temperature 0.2 (0.5 learned more slowly: 64% vs 68% after 2
// epochs), warm-up 0.5 epochs, a 5000-image kNN bank.
func Defaults() Config {
	return Config{
		Data:                data.DefaultName,
		Arch:                "resnet18",
		Stem:                "auto",
		Width:               0.125,
		ProjDims:            []int{0, 128},
		BatchSize:           128,
		MicroBatch:          "0",
		Precision:           PrecisionFP32,
		Epochs:              3,
		DropLast:            true,
		Optimizer:           "lars",
		LR:                  0.075,
		LRScaling:           schedule.ScalingSqrt,
		WarmupEpochs:        0.5,
		WeightDecay:         1e-6,
		Momentum:            0.9,
		Temperature:         0.2,
		GlobalBN:            true,
		ColorJitterStrength: 0.5,
		CropMinScale:        0.08,
		Blur:                "auto",
		AugmentOn:           AugmentAuto,
		Seed:                1,
		Out:                 "runs/simclr",
		Subset:              10000,
		LogEvery:            1,
		KNNEvery:            1,
		KNNK:                200,
		KNNT:                0.1,
		KNNSubset:           2000,
		KNNBank:             5000,
		SaveEvery:           1,
		Keep:                3,
	}
}

// JSON is the configuration as written to DIR/config.json and
// checkpoint.Meta.Config.
func (c Config) JSON() json.RawMessage {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil { // plain fields only
		panic(err)
	}
	return b
}

// Validate checks the values that do not depend on the data: every
// number is finite and within its documented range (see Limits), so the
// configuration always encodes as JSON; errors are *bound.Error naming the
// flag.
func (c Config) Validate() error {
	bad := func(flag string, format string, a ...any) error { return bound.Errorf(flag, format, a...) }
	if !slices.Contains(layers.Archs(), c.Arch) {
		return bad("arch", "%q: want one of %s", c.Arch, strings.Join(layers.Archs(), ", "))
	}
	if c.Stem != "auto" && c.Stem != string(layers.StemCIFAR) && c.Stem != string(layers.StemImageNet) {
		return bad("stem", "%q: want cifar, imagenet or auto", c.Stem)
	}
	if len(c.ProjDims) != 2 {
		return bad("proj-dims", "%v: want hidden,out (hidden 0 = the encoder's feature dim)", c.ProjDims)
	}
	kinds := []string{}
	for _, k := range optim.Kinds() {
		kinds = append(kinds, string(k))
	}
	if !slices.Contains(kinds, c.Optimizer) {
		return bad("optimizer", "%q: want one of %s", c.Optimizer, strings.Join(kinds, ", "))
	}
	if err := bound.Check(
		bound.Int("image-size", int64(c.ImageSize), 0, MaxImageSide),
		bound.Float("width", c.Width, 0, MaxWidth, true),
		bound.Int("proj-dims", int64(c.ProjDims[0]), 0, MaxDim),
		bound.Int("proj-dims", int64(c.ProjDims[1]), 1, MaxDim),
		bound.Int("batch-size", int64(c.BatchSize), 2, MaxCount),
		bound.Int("epochs", int64(c.Epochs), 1, MaxEpochs),
		bound.Float("lr", c.LR, 0, MaxLR, true),
		bound.Float("warmup-epochs", c.WarmupEpochs, 0, MaxEpochs, false),
		bound.Float("weight-decay", c.WeightDecay, 0, 1, false),
		bound.Float("momentum", c.Momentum, 0, MaxMomentum, false),
		bound.Float("temperature", c.Temperature, MinTemperature, MaxTemperature, false),
		bound.Float("color-jitter-strength", c.ColorJitterStrength, 0, MaxJitter, false),
		bound.Float("crop-min-scale", c.CropMinScale, 0, 1, true),
		bound.Float("solarize-prob", c.SolarizeProb, 0, 1, false),
		bound.Float("noise-std", c.NoiseStd, 0, augment.MaxNoiseStd, false),
		bound.Int("subset", int64(c.Subset), 0, MaxCount),
		bound.Int("max-steps", c.MaxSteps, 0, MaxSteps),
		bound.Int("workers", int64(c.Workers), 0, MaxWorkers),
		bound.Int("log-every", int64(c.LogEvery), 1, MaxSteps),
		bound.Int("knn-every", int64(c.KNNEvery), 0, MaxEpochs),
		bound.Int("knn-k", int64(c.KNNK), 1, MaxCount),
		bound.Float("knn-t", c.KNNT, 0, MaxTemperature, true),
		bound.Int("knn-subset", int64(c.KNNSubset), 0, MaxCount),
		bound.Int("knn-bank", int64(c.KNNBank), 0, MaxCount),
		bound.Int("save-every", int64(c.SaveEvery), 0, MaxEpochs),
		bound.Int("keep", int64(c.Keep), 0, MaxEpochs),
		bound.Int("bn-groups", int64(c.BNGroups), 0, MaxCount),
		bound.Int("sync-check", c.SyncCheck, 0, MaxSteps),
	); err != nil {
		return err
	}
	if _, err := schedule.ScaledLR(c.LR, c.LRScaling, c.BatchSize); err != nil {
		return bad("lr-scaling", "%v", err)
	}
	if _, _, err := ParseMicroBatch(c.MicroBatch, c.BatchSize); err != nil {
		return bad("micro-batch", "%v", err)
	}
	if _, err := augment.ParseBlurMode(c.Blur); err != nil {
		return bad("blur", "%v", err)
	}
	if _, err := ResolvePrecision(c.Precision); err != nil {
		return bad("precision", "%q: want fp32, mixed or auto", c.Precision)
	}
	if err := checkAugmentOn(c.AugmentOn); err != nil {
		return err
	}
	if c.Out == "" {
		return bad("out", "empty output directory")
	}
	return c.checkMemory(0, c.ImageSize, 0)
}

// Limits of the numeric flags (Validate): far above any sensible run, low
// enough that no product of them overflows before the memory estimate.
const (
	MaxImageSide   = 8192
	MaxWidth       = modelio.MaxWidth // what a checkpoint reader accepts back
	MaxDim         = 1 << 16
	MaxCount       = 1 << 31 // images, batch sizes, neighbours
	MaxEpochs      = 1_000_000
	MaxSteps       = 1 << 40
	MaxWorkers     = 4096
	MaxMomentum    = 0.9999
	MinTemperature = 1e-4
	MaxTemperature = 100.0
	MaxJitter      = augment.MaxJitterStrength
	// MaxLR keeps the scaled peak rate (up to MaxCount/256 times the
	// base) finite in float32; a rate that makes training diverge is
	// caught by the NaN/Inf guard (ErrDiverged), not refused here.
	MaxLR = 1e30
)

// checkMemory refuses a model and batch whose parameters (with gradients
// and two optimizer states) plus the activations of 2*BatchSize views of
// side x side pixels would not fit in limit bytes (0: the physical
// memory). channels 0 assumes 3, side 0 skips the activations (the side
// is not known before the data is opened).
func (c Config) checkMemory(channels, side int, limit uint64) error {
	if channels == 0 {
		channels = 3
	}
	mc := c.modelConfig(channels, max(side, 1))
	need := 16 * layers.EstimateParams(mc.Encoder, mc.Head)
	flags := []string{"width", "proj-dims"}
	held := c.heldImages()
	if side > 0 {
		need += 4 * 2 * float64(held) * layers.EstimateViewFloats(mc.Encoder, side)
		flags = []string{"batch-size", "image-size", "width"}
		if held < c.BatchSize {
			flags[0] = "micro-batch"
		}
	}
	what := fmt.Sprintf("a %s at width %g (parameters, gradients, optimizer state", c.Arch, c.Width)
	if side > 0 {
		what += fmt.Sprintf(" and the activations of %d views of %dx%d", 2*held, side, side)
	}
	return bound.Memory(need, limit, what+")", flags...)
}

// heldImages is the number of images whose activations a step holds at
// once: the batch, or one chunk of --micro-batch (auto: at least one).
func (c Config) heldImages() int {
	mb, auto, err := ParseMicroBatch(c.MicroBatch, c.BatchSize)
	switch {
	case auto:
		return 1
	case err != nil || mb == 0:
		return c.BatchSize
	}
	return mb
}

// CheckMemory is checkMemory once the data fixed the channels and the side
// (run before the model is built); limit 0 is the physical memory.
func (c Config) CheckMemory(channels, side int, limit uint64) error {
	return c.checkMemory(channels, side, limit)
}

// modelConfig is the network for images of c channels and side size.
func (c Config) modelConfig(channels, size int) layers.Config {
	stem := layers.Stem(c.Stem)
	if c.Stem == "auto" {
		stem = layers.StemImageNet
		if size <= 32 {
			stem = layers.StemCIFAR
		}
	}
	return layers.Config{
		Encoder: layers.ResNetConfig{Arch: c.Arch, Stem: stem, Width: c.Width, InChannels: channels, ZeroInitResidual: true},
		Head:    layers.HeadConfig{Hidden: c.ProjDims[0], Out: c.ProjDims[1]},
		Seed:    c.Seed,
	}
}

// augConfig is the augmentation pipeline for views of side size.
func (c Config) augConfig(size int) (augment.Config, error) {
	a := augment.DefaultConfig(size)
	a.JitterStrength = c.ColorJitterStrength
	a.MinScale = c.CropMinScale
	a.SolarizeP = c.SolarizeProb
	a.NoiseStd = c.NoiseStd
	var err error
	if a.Blur, err = augment.ParseBlurMode(c.Blur); err != nil {
		return a, err
	}
	return a, a.Validate()
}

// optimConfig is the optimizer's hyper-parameters.
func (c Config) optimConfig() optim.Config {
	o := optim.DefaultConfig(optim.Kind(c.Optimizer))
	o.WeightDecay = float32(c.WeightDecay)
	o.Momentum = float32(c.Momentum)
	return o
}
