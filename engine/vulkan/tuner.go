package vulkan

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/tune"
)

// The kernel choices (Plans: the GEMM family's classes, the convolution
// problems, the NT-Xent families) and the tuning service shared by the
// GEMM classes and the convolution problems.

// GemmClassChoice is the kernel one shape class uses on a device.
type GemmClassChoice = gemm.ClassChoice

// GemmClasses are the shape classes in the order Plans.Gemm lists them.
var GemmClasses = gemm.Classes

// ErrGemmUnsupported is wrapped by Open's error when Options.GemmVariant
// forces a GEMM kernel this device cannot run (errors.Is).
var ErrGemmUnsupported = gemm.ErrUnsupported

// GemmKernels lists every GEMM kernel name (values of Options.GemmVariant
// besides the families tiled, splitk, subgroup and regblock).
func GemmKernels() []string { return gemm.Kernels() }

// Plans reports the kernel choices of a Device: the cooperative-matrix
// variant of its matrix products, the GEMM kernel of each shape class, the
// convolution kernel of each problem, the fused NT-Xent's kernel family
// and the time autotuning spent choosing them (the `devices` and `bench`
// commands print them; tests check that options reached the plans). Its
// queries decide a choice not made yet, as the op would.
type Plans struct{ d *Device }

// Plans returns the kernel choices of d.
func (d *Device) Plans() Plans { return Plans{d} }

// CoopMat returns the cooperative-matrix variant the matrix products run
// with ("cm_s32", ...), or "" when they compute in float32.
func (p Plans) CoopMat() string { return p.d.gemm.CoopMat() }

// CoopMatFloat16 returns the cooperative-matrix variant the float16
// convolutions run on (CoopMat, once their self-check at open found that
// the multiply keeps float16 subnormal activations), "" when they run the
// float32-tile _f16 kernels; off says why where cooperative matrices are
// on but not for them (the self-check's error). Both are "" on a device
// without float16 storage.
func (p Plans) CoopMatFloat16() (cm, off string) {
	if p.d.rt.Float16Storage() != nil {
		return "", ""
	}
	return p.d.conv.CoopMat16()
}

// Gemm returns the kernel of every shape class and where it came from,
// deciding (and, with autotuning on, measuring) the classes not used yet.
func (p Plans) Gemm() []GemmClassChoice { return p.d.gemm.Plan() }

// GemmFor returns the kernel a (batched) product of these sizes uses and
// where it came from, deciding its class first if needed.
func (p Plans) GemmFor(batch, m, n, k int) GemmClassChoice {
	return p.d.gemm.ChoiceFor(batch, m, n, k)
}

// Conv returns the kernel of every convolution problem decided so far (by
// autotuning; table choices are not recorded), sorted by problem.
func (p Plans) Conv() []ConvChoice { return p.d.conv.Plan() }

// ConvKernel returns the kernel a pass ("forward", "backward_data" or
// "backward_filter") of a problem uses now and where the choice came from:
// the autotuned choice once the problem has run with autotuning on, else
// the table's.
func (p Plans) ConvKernel(pass string, cp engine.Conv2DParams) (kernel, source string) {
	return p.d.conv.Kernel(pass, cp)
}

// ConvKernelFloat16 is ConvKernel for float16 activations (x, y, dy, dx
// stored as engine.Float16): a register-blocked or tiled _f16 kernel (a
// cooperative-matrix _<cm>_f16 tile where the device runs cooperative
// matrices), never Winograd.
func (p Plans) ConvKernelFloat16(pass string, cp engine.Conv2DParams) (kernel, source string) {
	return p.d.conv.KernelOf(pass, cp, true)
}

// NTXentKernel returns the kernel family the fused NT-Xent runs for a
// (rows, dim) z with kernel forced ("" as Options.NTXentKernel: the
// device's choice); it panics on a kernel not in NTXentKernels.
func (p Plans) NTXentKernel(kernel string, rows, dim int) string {
	return p.d.nt.Kernel(kernel, rows, dim)
}

// TuneTime is the time the device has spent timing kernel candidates
// (GEMM shape classes and convolution problems, the agreement checks
// included) since it opened: what autotuning added to the first steps.
func (p Plans) TuneTime() time.Duration {
	if p.d.tuner == nil {
		return 0
	}
	return p.d.tuner.Spent
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
