package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
)

// cpuDeviceLine is the CPU backend's line of `devices --json`.
type cpuDeviceLine struct {
	Backend string `json:"backend"`
	BLAS    string `json:"blas"`
	OneDNN  string `json:"onednn"` // the library, or why it is not loaded
}

type vulkanDeviceLine struct {
	Backend string `json:"backend"`
	vulkan.DeviceInfo
	// Gemm is the GEMM kernel of each shape class (devices --gemm).
	Gemm      []vulkan.GemmClassChoice `json:"gemm,omitempty"`
	GemmError string                   `json:"gemm_error,omitempty"`
}

// gemmPlan opens device index i and returns its GEMM kernel per shape class
// (measuring the classes missing from the tuning cache when autotune is on).
func gemmPlan(i int, autotune string) ([]vulkan.GemmClassChoice, error) {
	d, err := vulkan.Open(vulkan.Options{Device: fmt.Sprint(i), Autotune: autotune})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	plan := d.Plans().Gemm()
	return plan, d.Err()
}

// printGemmPlan prints one line per shape class: kernel, source and, for
// measured choices, each candidate's rate.
func printGemmPlan(plan []vulkan.GemmClassChoice) {
	for _, c := range plan {
		fmt.Printf("  gemm %-6s (%s): %s [%s]", c.Class, c.Shapes, c.Kernel, c.Source)
		if len(c.GFLOPs) > 0 {
			var rates []string
			for _, k := range slices.Sorted(maps.Keys(c.GFLOPs)) {
				rates = append(rates, fmt.Sprintf("%s %.1f", k, c.GFLOPs[k]))
			}
			fmt.Printf(" at m,n,k=%d,%d,%d, GFLOP/s: %s", c.Problem[0], c.Problem[1], c.Problem[2], strings.Join(rates, ", "))
		}
		if c.Note != "" {
			fmt.Printf(" (%s)", c.Note)
		}
		fmt.Println()
	}
}

func runDevices(args []string) error {
	fs := newFlags("devices")
	asJSON := fs.Bool("json", false, "print one JSON object per device and line")
	gemm := fs.Bool("gemm", false, "open each Vulkan device and show its GEMM kernel per shape class and where it came from (tuning cache, table, or a fresh measurement)")
	autotune := addAutotuneFlag(fs, "with --gemm: auto (use the tuning cache, measure what is missing), off (fixed table) or refresh (measure again)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	devs, verr := vulkan.Devices()
	enc := json.NewEncoder(os.Stdout)
	for _, d := range devs {
		var plan []vulkan.GemmClassChoice
		var perr error
		if *gemm {
			plan, perr = gemmPlan(d.Index, *autotune)
		}
		if *asJSON {
			line := vulkanDeviceLine{Backend: "vulkan", DeviceInfo: d, Gemm: plan}
			if perr != nil {
				line.GemmError = perr.Error()
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		sub := "unknown"
		if d.SubgroupSize > 0 {
			sub = fmt.Sprint(d.SubgroupSize)
		}
		drv := d.DriverDescription()
		if d.DriverInfo != "" {
			drv += " (" + d.DriverInfo + ")"
		}
		var heaps []string
		for i, h := range d.HeapBytes {
			kind := "host"
			if d.HeapDeviceLocal[i] {
				kind = "device-local"
			}
			heaps = append(heaps, fmt.Sprintf("%.1f GiB %s", float64(h)/(1<<30), kind))
		}
		fmt.Printf("vulkan %d: %s\n", d.Index, d.Name)
		fmt.Printf("  type %s, vendor %s (%#x), device %#x, driver %s, Vulkan %s\n",
			d.Type, d.Vendor, d.VendorID, d.DeviceID, drv, d.APIVersion)
		fmt.Printf("  heaps: %s\n", strings.Join(heaps, ", "))
		units := "compute units not reported"
		if d.ComputeUnits > 0 {
			units = fmt.Sprintf("%d compute units", d.ComputeUnits)
		}
		fmt.Printf("  shared memory %d KiB, workgroup size max %v, invocations max %d, count max %v, subgroup size %s, %s\n",
			d.MaxSharedMemory/1024, d.MaxWorkGroupSize, d.MaxWorkGroupInvocations, d.MaxWorkGroupCount, sub, units)
		switch {
		case d.CoopMatKernel != "":
			fmt.Printf("  cooperative matrices: %s; --coopmat runs kernels %s\n", strings.Join(d.CoopMat, ", "), d.CoopMatKernel)
		case len(d.CoopMat) > 0:
			fmt.Printf("  cooperative matrices: %s; not usable here: %s\n", strings.Join(d.CoopMat, ", "), d.CoopMatMissing)
		default:
			fmt.Printf("  cooperative matrices: none (%s)\n", d.CoopMatMissing)
		}
		if d.CoopMatDenied != "" {
			fmt.Printf("  cooperative matrices DENIED for this device and driver (--coopmat auto runs float32, on fails; --allow-denied-driver overrides): %s\n", d.CoopMatDenied)
		}
		if d.Float16Denied != "" {
			fmt.Printf("  float16 storage DENIED for this device and driver (--precision mixed fails; --allow-denied-driver overrides): %s\n", d.Float16Denied)
		}
		printGemmPlan(plan)
		if perr != nil {
			fmt.Printf("  gemm: %v\n", perr)
		}
	}
	if verr != nil {
		if *asJSON {
			enc.Encode(map[string]string{"backend": "vulkan", "error": verr.Error()})
		} else {
			fmt.Printf("vulkan: unavailable: %v\n", verr)
		}
	}
	if *asJSON {
		return enc.Encode(cpuDeviceLine{"cpu", cpu.BLASName(), cpu.OneDNNName()})
	}
	fmt.Printf("cpu: BLAS %s; oneDNN: %s\n", cpu.BLASName(), cpu.OneDNNName())
	return nil
}
