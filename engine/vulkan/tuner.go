package vulkan

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/tune"
)

// The GEMM family's plan (internal/gemm) and the tuning service shared by
// the GEMM classes and the convolution problems.

// GemmClassChoice is the kernel one shape class uses on a device.
type GemmClassChoice = gemm.ClassChoice

// GemmClasses are the shape classes in the order GemmPlan lists them.
var GemmClasses = gemm.Classes

// ErrGemmUnsupported is wrapped by Open's error when Options.GemmVariant
// forces a GEMM kernel this device cannot run (errors.Is).
var ErrGemmUnsupported = gemm.ErrUnsupported

// GemmKernels lists every GEMM kernel name (values of Options.GemmVariant
// besides the families tiled, splitk, subgroup and regblock).
func GemmKernels() []string { return gemm.Kernels() }

// GemmPlan returns the kernel of every shape class and where it came from,
// deciding (and, with autotuning on, measuring) the classes not used yet.
func (d *Device) GemmPlan() []GemmClassChoice { return d.gemm.Plan() }

// GemmChoiceFor returns the kernel a (batched) product of these sizes uses
// and where it came from, deciding its class first if needed.
func (d *Device) GemmChoiceFor(batch, m, n, k int) GemmClassChoice {
	return d.gemm.ChoiceFor(batch, m, n, k)
}

// TuneTime is the time this device has spent timing kernel candidates
// (GEMM shape classes and convolution problems, the agreement checks
// included) since it opened: what autotuning added to the first steps.
func (d *Device) TuneTime() time.Duration {
	if d.tuner == nil {
		return 0
	}
	return d.tuner.Spent
}

// initGemm opens the GEMM family (validating Options.GemmVariant), checks
// Options.NTXentKernel and starts the tuning service of Options.Autotune,
// in that order.
func (d *Device) initGemm(opts Options) error {
	tuner, tuneErr := newTuner(opts)
	g, err := gemm.New(d.rt, gemm.Config{Variant: opts.GemmVariant, CoopMat: d.rt.CoopMat(), Tuner: tuner})
	if err != nil {
		return err
	}
	if k := opts.NTXentKernel; k != "" && !slices.Contains(NTXentKernels, k) {
		return fmt.Errorf("engine/vulkan: unknown NTXentKernel %q (want one of %s)", k, strings.Join(NTXentKernels, ", "))
	}
	if tuneErr != nil {
		return tuneErr
	}
	d.gemm, d.tuner = g, tuner
	return nil
}

// newTuner is the tuning service of Options.Autotune (SIMCLR_VK_AUTOTUNE
// overrides it), nil when autotuning is off.
func newTuner(opts Options) (*tune.Service, error) {
	mode := opts.Autotune
	if env := os.Getenv("SIMCLR_VK_AUTOTUNE"); env != "" {
		mode = env
	}
	switch mode {
	case "", "off":
		return nil, nil
	case "auto", "on", "refresh":
		if mode == "on" {
			mode = "auto"
		}
		path := opts.TuneCache
		if path == "" {
			path = os.Getenv("SIMCLR_VK_TUNE_CACHE")
		}
		if path == "" {
			path = tune.DefaultCachePath()
		}
		return &tune.Service{Mode: mode, Path: path}, nil
	}
	return nil, fmt.Errorf("engine/vulkan: Autotune %q (Options.Autotune or SIMCLR_VK_AUTOTUNE): want off, auto (on) or refresh", mode)
}
