package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"simclr-vk/dist"
	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/internal/bound"
)

// backendFlags are the flags every command that computes shares.
type backendFlags struct {
	backend  *string
	device   *string
	threads  *int
	noBLAS   *bool
	cpuConv  *string
	validate *bool
	autotune *string
	coopmat  *string
	// allowDenied: --allow-denied-driver (vulkan.Options.AllowDenied).
	allowDenied *bool
	// gemmVariant forces a Vulkan GEMM kernel (bench gemm --kernel).
	gemmVariant string
}

// addBackendFlags registers --backend (default def), --device, --threads,
// --no-blas, --cpu-conv, --validate, --autotune, --coopmat and
// --allow-denied-driver on fs.
func addBackendFlags(fs *pflag.FlagSet, def string) *backendFlags {
	return &backendFlags{
		backend:     fs.String("backend", def, "auto (a Vulkan GPU if present, else cpu), vulkan or cpu"),
		device:      fs.String("device", "", "Vulkan device: index in 'simclr-vk devices' order or a name substring; under mpirun a comma-separated list indexed by the node-local rank (default: the local rank's device among the GPUs, or all devices)"),
		threads:     fs.Int("threads", 0, "CPU backend threads (0: all cores, divided by the ranks on this machine under mpirun)"),
		noBLAS:      fs.Bool("no-blas", false, "CPU backend: pure-Go GEMM even where OpenBLAS is installed"),
		cpuConv:     fs.String("cpu-conv", "auto", "CPU backend convolutions: auto (oneDNN where libdnnl.so.2 loads, else builtin), onednn (an error where it does not load) or builtin (Go + OpenBLAS)"),
		validate:    fs.Bool("validate", false, "Vulkan: enable VK_LAYER_KHRONOS_validation (also SIMCLR_VK_VALIDATE=1)"),
		autotune:    addAutotuneFlag(fs, "Vulkan GEMM kernel per shape class and, on GPUs, convolution kernel per layer shape: auto (measured once, cached in ~/.cache/simclr-vk), off (fixed table) or refresh (measure again); SIMCLR_VK_AUTOTUNE overrides"),
		coopmat:     fs.String("coopmat", "off", "Vulkan: matrix products (GEMM, convolutions) on cooperative matrices (tensor cores) with float16 inputs and float32 sums: off (exact float32), auto (on GPUs that have them) or on (an error where unsupported); SIMCLR_VK_COOPMAT overrides"),
		allowDenied: fs.Bool("allow-denied-driver", false, "Vulkan: use cooperative matrices and float16 storage even on a device and driver the deny list refuses them on (known wrong results; 'simclr-vk devices' shows the denials): for drivers that have the fix"),
	}
}

// addAutotuneFlag registers --autotune (default auto) and its earlier name
// --gemm-autotune (from when it chose GEMM kernels only), deprecated but
// still accepted, on the same value.
func addAutotuneFlag(fs *pflag.FlagSet, usage string) *string {
	v := fs.String("autotune", "auto", usage)
	fs.StringVar(v, "gemm-autotune", "auto", usage)
	fs.MarkDeprecated("gemm-autotune", "use --autotune")
	return v
}

// open returns the selected backend. auto picks the first Vulkan device that
// is not a CPU implementation (lavapipe is slower than the CPU backend), or
// the CPU backend when there is none or the Vulkan loader is missing.
func (f *backendFlags) open() (engine.Backend, error) {
	name := *f.backend
	if name == "auto" {
		name = "cpu"
		if *f.device != "" {
			name = "vulkan"
		} else if devs, err := vulkan.Devices(); err == nil {
			for _, d := range devs {
				if d.Type != "cpu" {
					name = "vulkan"
					break
				}
			}
		}
	}
	switch name {
	case "cpu":
		if *f.coopmat == "on" {
			return nil, fmt.Errorf("--coopmat on: cooperative matrices are a Vulkan feature, and the backend is cpu (use --backend vulkan, or --coopmat auto/off)")
		}
		conv, err := cpu.ParseConvImpl(*f.cpuConv)
		if err != nil {
			return nil, fmt.Errorf("--cpu-conv: %w", err)
		}
		b, err := cpu.Open(cpu.Options{Threads: *f.threads, NoBLAS: *f.noBLAS, Conv: conv})
		if err != nil {
			return nil, fmt.Errorf("--cpu-conv %s: %w", conv, err)
		}
		return b, nil
	case "vulkan":
		d, err := vulkan.Open(f.vulkanOptions())
		if err != nil {
			return nil, fmt.Errorf("open Vulkan device: %w", err)
		}
		return d, nil
	}
	return nil, fmt.Errorf("--backend %q: want auto, vulkan or cpu", name)
}

// forRank makes the flags those of one rank of comm on its machine: a
// comma-separated --device takes the entry of the node-local rank; with no
// --device and several ranks on the machine, the Vulkan device (auto: a
// GPU) is the local rank's among them (ranks share devices round-robin when
// there are fewer devices than ranks); --threads 0 becomes the machine's
// cores divided by its ranks. A world of one takes a list's first entry
// (a run of several ranks resumed on one: the list is in its config.json)
// and keeps the other flags as they are.
func (f *backendFlags) forRank(comm dist.Comm) error {
	local, n := comm.LocalRank(), comm.LocalSize()
	if strings.Contains(*f.device, ",") {
		list := strings.Split(*f.device, ",")
		if local >= len(list) {
			return fmt.Errorf("--device %q: a list of %d devices, one per rank on this machine, and this is local rank %d of %d", *f.device, len(list), local, n)
		}
		dev := strings.TrimSpace(list[local])
		f.device = &dev
	}
	if n <= 1 {
		return nil
	}
	if *f.threads == 0 {
		t := max(1, runtime.NumCPU()/n)
		f.threads = &t
	}
	if *f.device == "" && *f.backend != "cpu" {
		devs, err := vulkan.Devices()
		if err != nil {
			if *f.backend == "vulkan" {
				return fmt.Errorf("open Vulkan device: %w", err)
			}
			return nil // auto: the CPU backend
		}
		var pick []vulkan.DeviceInfo
		for _, d := range devs {
			if d.Type != "cpu" || *f.backend == "vulkan" {
				pick = append(pick, d)
			}
		}
		if len(pick) > 0 {
			dev := strconv.Itoa(pick[local%len(pick)].Index)
			f.device = &dev
		}
	}
	return nil
}

// vulkanOptions are the vulkan.Options these flags select.
func (f *backendFlags) vulkanOptions() vulkan.Options {
	return vulkan.Options{Device: *f.device, Validate: *f.validate, Autotune: *f.autotune, CoopMat: *f.coopmat, AllowDenied: *f.allowDenied, GemmVariant: f.gemmVariant}
}

// checkOpen is the start of a command that computes: it checks these
// flags (--threads), then more, then fits(0) (the memory check against
// the physical memory), before it opens the backend; where the backend's
// buffers live in a device's memory, fits is repeated with that limit
// (onDevice) and a backend that does not fit is closed again. The caller
// closes b (closeBackend).
func (f *backendFlags) checkOpen(fits func(limit uint64) error, more ...error) (engine.Backend, error) {
	if err := bound.Check(append(append([]error{f.check()}, more...), fits(0))...); err != nil {
		return nil, err
	}
	b, err := f.open()
	if err != nil {
		return nil, err
	}
	if err := onDevice(b, fits); err != nil {
		closeBackend(b)
		return nil, err
	}
	return b, nil
}

// closeBackend closes b and, for a validated Vulkan device, reports the
// validation messages it collected.
func closeBackend(b engine.Backend) {
	if d, ok := b.(*vulkan.Device); ok {
		for _, m := range d.ValidationMessages() {
			fmt.Fprintln(os.Stderr, "validation:", m)
		}
	}
	b.Close()
}
