package vkrt

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/shaders"
)

// TestShadersBuildOnRADV builds every embedded compute shader into a
// pipeline with AMD's shader compiler (ACO): Mesa's RADV driver, which
// CI's mesa-vulkan-drivers package installs beside lavapipe, creates a
// device for a GPU family without the hardware (RADV_FORCE_FAMILY), able to
// compile pipelines though not to run them. lavapipe (LLVM) is the only
// compiler the other tests exercise; this catches a shader that a real GPU
// compiler rejects or cannot build (limits of shared memory, registers,
// workgroup size) before a user's GPU does. Families: RDNA2 (navi21,
// wave64 compute), RDNA3 (gfx1100) in wave64 and wave32
// (RADV_PERFTEST=cswave32), GCN4 (polaris10); a family this Mesa does not
// know is skipped, and so is the whole test where RADV has no
// hardware-less mode (Mesa 22.3, Debian 12 and CI, has it; Mesa 26.1,
// Debian 13, replaced RADV_FORCE_FAMILY by drm-shim, which Debian does not
// package). The cooperative-matrix variants are built only for a device
// that reports their shape (none of these: Mesa 22.3 has no
// VK_KHR_cooperative_matrix).
//
// Each shader is built with its default specialization constants, the
// tiled GEMM and convolution kernels also with every transpose / DIRECT
// value. The slowest builds are logged (-v): compile time is part of a
// GPU's first autotuning. With RADV_DEBUG=shaderstats in the environment
// Mesa also prints each shader's registers, spills and code size.
func TestShadersBuildOnRADV(t *testing.T) {
	icd := radeonICD()
	if icd == "" {
		t.Skip("no RADV ICD file (mesa-vulkan-drivers) in /usr/share/vulkan/icd.d")
	}
	for _, f := range []struct{ family, perftest string }{
		{"navi21", ""}, {"gfx1100", ""}, {"gfx1100", "cswave32"}, {"polaris10", ""},
	} {
		name := f.family
		if f.perftest != "" {
			name += "_" + f.perftest
		}
		t.Run(name, func(t *testing.T) {
			t.Setenv("VK_DRIVER_FILES", icd)
			t.Setenv("VK_ICD_FILENAMES", "")
			t.Setenv("RADV_FORCE_FAMILY", f.family)
			t.Setenv("RADV_PERFTEST", f.perftest)
			d := openCompileOnly(t, f.family)
			if d == nil {
				return
			}
			type built struct {
				name string
				dt   time.Duration
			}
			var times []built
			skipped := 0
			for _, sh := range shaders.Names() {
				code, err := shaders.SPIRV(sh)
				if err != nil {
					t.Fatal(err)
				}
				info := spirvInfo(code)
				if info.coopMat && !strings.HasSuffix(sh, "_"+d.cm) {
					skipped++
					continue
				}
				for _, spec := range radvSpecs(sh) {
					t0 := time.Now()
					if _, err := d.pipes.get(sh, spec, info.bindings); err != nil {
						t.Errorf("%s (spec %v, %d bindings): %v", sh, spec, info.bindings, err)
					}
					times = append(times, built{fmt.Sprintf("%s %v", sh, spec), time.Since(t0)})
				}
			}
			slices.SortFunc(times, func(a, b built) int { return int(b.dt - a.dt) })
			var total time.Duration
			var slow []string
			for i, b := range times {
				total += b.dt
				if i < 5 {
					slow = append(slow, fmt.Sprintf("%s %v", b.name, b.dt.Round(time.Millisecond)))
				}
			}
			t.Logf("%s (subgroup %d, %d compute units reported, cooperative matrices %q): %d pipelines built in %v (%d cooperative-matrix variants not for this device skipped); slowest: %s",
				d.info.Name, d.info.SubgroupSize, d.info.ComputeUnits, d.cm, len(times), total.Round(time.Millisecond), skipped, strings.Join(slow, ", "))
		})
	}
}

// radeonICD is the RADV ICD file, "" when not installed.
func radeonICD() string {
	m, _ := filepath.Glob("/usr/share/vulkan/icd.d/radeon_icd*.json")
	if len(m) == 0 {
		return ""
	}
	return m[0]
}

// openCompileOnly opens RADV's hardware-less device for family: the
// logical device and the pipeline cache only (it has no memory to
// allocate), with the cooperative-matrix features when it reports a shape
// the kernels use. nil (the test skipped) when this Mesa does not know
// the family.
func openCompileOnly(t *testing.T, family string) *Device {
	t.Helper()
	in, err := newInstance(ValidationAvailable())
	if err != nil {
		t.Skipf("RADV opens no instance with RADV_FORCE_FAMILY=%s (newer Mesa has no hardware-less mode without drm-shim): %v", family, err)
		return nil
	}
	pds, err := in.physicalDevices()
	if err != nil || len(pds) == 0 {
		in.destroy()
		t.Skipf("RADV lists no device for RADV_FORCE_FAMILY=%s (this Mesa may not know it): %v", family, err)
		return nil
	}
	// allowDenied: this only compiles the kernels (the _f16 ones need
	// float16 storage), so a deny rule for RADV must not turn them off.
	d := &Device{inst: in, phys: pds[0], allowDenied: true}
	d.info, d.props, _ = physInfo(in, 0, pds[0])
	d.limit = d.props.Limits
	if !strings.Contains(d.info.Name, "RADV") {
		in.destroy()
		t.Fatalf("device %q with VK_DRIVER_FILES=%s, want RADV's", d.info.Name, os.Getenv("VK_DRIVER_FILES"))
	}
	d.cm = d.info.CoopMatKernel
	if err := d.createLogical(); err != nil {
		in.destroy()
		t.Fatal(err)
	}
	d.pipes = newPipelineCache(d)
	d.watchValidation()
	t.Cleanup(func() {
		d.pipes.destroy()
		vk.DestroyDevice(d.dev, nil)
		d.unwatchValidation()
		in.destroy()
		if msgs := d.ValidationMessages(); len(msgs) > 0 {
			t.Errorf("validation messages: %v", msgs)
		}
	})
	return d
}

// radvSpecs are the specialization constants each shader is built with:
// the defaults (nil), and for the tiled GEMM and convolution kernels the
// values engine/vulkan sets (TRANS_A, TRANS_B; DIRECT).
func radvSpecs(name string) [][]uint32 {
	switch {
	case strings.HasPrefix(name, "gemm_tiled_"):
		return [][]uint32{nil, {0, 1}, {1, 0}, {1, 1}}
	case strings.HasPrefix(name, "conv2d_") && strings.Contains(name, "_tiled_"):
		return [][]uint32{nil, {1}}
	}
	return [][]uint32{nil}
}

// shaderInfo is what spirvInfo reads off a SPIR-V module.
type shaderInfo struct {
	bindings int  // 1 + the largest descriptor binding
	coopMat  bool // declares the CooperativeMatrixKHR capability
}

// spirvInfo scans a module's instructions: OpCapability (17) with
// CooperativeMatrixKHR (6022), OpDecorate (71) with Binding (33).
func spirvInfo(code []uint32) shaderInfo {
	var s shaderInfo
	for i := 5; i < len(code); {
		n, op := int(code[i]>>16), code[i]&0xffff
		if n == 0 || i+n > len(code) {
			break
		}
		switch {
		case op == 17 && n >= 2 && code[i+1] == 6022:
			s.coopMat = true
		case op == 71 && n >= 4 && code[i+2] == 33:
			s.bindings = max(s.bindings, int(code[i+3])+1)
		}
		i += n
	}
	return s
}
