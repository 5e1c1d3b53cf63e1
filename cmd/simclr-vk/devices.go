package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
)

func init() {
	register("devices", "list the Vulkan devices and the CPU backend", runDevices)
}

// cpuDeviceLine is the CPU backend's line of `devices --json`.
type cpuDeviceLine struct {
	Backend string `json:"backend"`
	BLAS    string `json:"blas"`
}

type vulkanDeviceLine struct {
	Backend string `json:"backend"`
	vulkan.DeviceInfo
}

func runDevices(args []string) error {
	fs := newFlags("devices")
	asJSON := fs.Bool("json", false, "print one JSON object per device and line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	devs, verr := vulkan.Devices()
	enc := json.NewEncoder(os.Stdout)
	for _, d := range devs {
		if *asJSON {
			if err := enc.Encode(vulkanDeviceLine{"vulkan", d}); err != nil {
				return err
			}
			continue
		}
		sub := "unknown"
		if d.SubgroupSize > 0 {
			sub = fmt.Sprint(d.SubgroupSize)
		}
		drv := d.DriverName
		if drv == "" {
			drv = "?"
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
		fmt.Printf("  type %s, vendor %s (%#x), device %#x, driver %s %s (version %#x), Vulkan %s\n",
			d.Type, d.Vendor, d.VendorID, d.DeviceID, drv, d.DriverInfo, d.DriverVersion, d.APIVersion)
		fmt.Printf("  heaps: %s\n", strings.Join(heaps, ", "))
		fmt.Printf("  shared memory %d KiB, workgroup size max %v, invocations max %d, count max %v, subgroup size %s\n",
			d.MaxSharedMemory/1024, d.MaxWorkGroupSize, d.MaxWorkGroupInvocations, d.MaxWorkGroupCount, sub)
	}
	if verr != nil {
		if *asJSON {
			enc.Encode(map[string]string{"backend": "vulkan", "error": verr.Error()})
		} else {
			fmt.Printf("vulkan: unavailable: %v\n", verr)
		}
	}
	if *asJSON {
		return enc.Encode(cpuDeviceLine{"cpu", cpu.BLASName()})
	}
	fmt.Printf("cpu: BLAS %s\n", cpu.BLASName())
	return nil
}
