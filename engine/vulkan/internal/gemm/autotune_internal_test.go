package gemm

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
	"simclr-vk/internal/atomicfile"
)

// Autotuning tests: every device opened here tunes into a cache file in a
// temporary directory (never the user's cache). No timing is asserted,
// only where choices come from and what the file holds.

func readTuneFile(t *testing.T, path string) tune.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f tune.File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f
}

func writeTuneFile(t *testing.T, path string, f tune.File) {
	t.Helper()
	if err := tune.WriteCache(path, &f); err != nil {
		t.Fatal(err)
	}
}

// TestGemmAutotuneCache: a first device measures every class (only
// supported candidates) and writes the cache; a second one reads the same
// choices back; an edited entry is obeyed (the choice really comes from the
// file); entries of another driver version, a corrupt file and a file of
// another format version are ignored (with a note) and rewritten; refresh
// measures again.
func TestGemmAutotuneCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "gemm-tune.json")

	d := openTuned(t, "auto", path)
	plan := d.Plan()
	key := tune.KeyOf(d.Info)
	for _, c := range plan {
		t.Logf("%s (%s): %s from %s, %s, GFLOP/s %v", c.Class, c.Shapes, c.Kernel, c.Source, c.Timing, c.GFLOPs)
		if c.Source != "measured" {
			t.Errorf("class %s: source %q, want measured (empty cache)", c.Class, c.Source)
		}
		cands := d.candidates(c.Class)
		if !slices.Contains(cands, c.Kernel) {
			t.Errorf("class %s: chose %s, not a candidate of %v", c.Class, c.Kernel, cands)
		}
		var timed []string
		for k := range c.GFLOPs {
			timed = append(timed, k)
		}
		slices.Sort(timed)
		want := slices.Sorted(slices.Values(cands))
		if !slices.Equal(timed, want) {
			t.Errorf("class %s: timed %v, want exactly the supported candidates %v", c.Class, timed, want)
		}
	}
	f := readTuneFile(t, path)
	if f.Version != tune.Version || len(f.Entries) != len(Classes) {
		t.Fatalf("cache: version %d with %d entries, want version %d with %d", f.Version, len(f.Entries), tune.Version, len(Classes))
	}
	for i, e := range f.Entries {
		if e.Key != key || e.Class != plan[i].Class || e.Kernel != plan[i].Kernel {
			t.Errorf("cache entry %d: %+v, want key %+v class %s kernel %s", i, e, key, plan[i].Class, plan[i].Kernel)
		}
	}
	// The same device reads its choices back.
	d2 := openTuned(t, "auto", path)
	for i, c := range d2.Plan() {
		if c.Source != "cache" || c.Kernel != plan[i].Kernel {
			t.Errorf("reopened, class %s: %s from %s, want %s from cache", c.Class, c.Kernel, c.Source, plan[i].Kernel)
		}
	}
	// An edited choice is obeyed: regblock for the small class.
	f.Entries[0].Kernel = "regblock"
	writeTuneFile(t, path, f)
	if got, src := tunedSmall(t, "auto", path); got != "regblock" || src != "cache" {
		t.Errorf("edited cache: small class %s from %s, want regblock from cache", got, src)
	}
	// Another driver version: ignored, measured, and both entries kept.
	for i := range f.Entries {
		f.Entries[i].DriverVersion++
	}
	writeTuneFile(t, path, f)
	if _, src := tunedSmall(t, "auto", path); src != "measured" {
		t.Errorf("cache of another driver version: source %s, want measured", src)
	}
	if g := readTuneFile(t, path); len(g.Entries) != len(Classes)+1 {
		t.Errorf("after measuring for this driver: %d entries, want the %d foreign ones plus 1", len(g.Entries), len(Classes))
	}
	// Refresh measures even with a matching entry.
	if _, src := tunedSmall(t, "refresh", path); src != "measured" {
		t.Errorf("refresh: source %s, want measured", src)
	}
	// A corrupt file and a file of another version: a note, a measurement
	// and a rewritten, readable file.
	for _, bad := range []string{`{"version": 1, "entries": [`, `{"version": 999, "entries": []}`} {
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		d := openTuned(t, "auto", path)
		d.Choice(classSmall)
		if c := d.plan[classSmall]; c.Source != "measured" {
			t.Errorf("cache %q: source %s, want measured", bad, c.Source)
		}
		if len(d.tuner.Notes) == 0 || !strings.Contains(d.tuner.Notes[0], "ignoring") {
			t.Errorf("cache %q: notes %q, want one saying it is ignored", bad, d.tuner.Notes)
		}
		if g := readTuneFile(t, path); g.Version != tune.Version || len(g.Entries) != 1 {
			t.Errorf("cache %q rewritten as version %d with %d entries, want version %d with 1", bad, g.Version, len(g.Entries), tune.Version)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), atomicfile.TempPrefix+"*")); len(m) > 0 {
		t.Errorf("temporary files left behind: %v", m)
	}
}

// tunedSmall opens a device with the given mode and cache and returns the
// small class's kernel and its source.
func tunedSmall(t *testing.T, mode, path string) (string, string) {
	t.Helper()
	d := openTuned(t, mode, path)
	k := d.Choice(classSmall)
	return k, d.plan[classSmall].Source
}

// TestGemmCandidatesSupported: with the limits of a smaller device the
// candidates (and what gets timed) drop the kernels it cannot run, and the
// table never picks one of those.
func TestGemmCandidatesSupported(t *testing.T) {
	d := openTuned(t, "auto", filepath.Join(t.TempDir(), "gemm-tune.json"))
	full := d.candidates(classSplitK)
	if d.sg8 != slices.Contains(full, "subgroup") {
		t.Errorf("candidates %v: subgroup listed %v, device has 8-wide subgroups %v", full, !d.sg8, d.sg8)
	}
	for _, lim := range []struct {
		inv, shared uint32
		sg8         bool
		small       []string
		splitk      []string
	}{
		{256, 17408, false, []string{"tiled_128x128", "tiled_64x64", "tiled_32x32", "tiled_128x128_db", "tiled_64x64_db", "tiled_128x128_k16",
			"tiled_64x128", "tiled_128x64", "tiled_128x128_v4", "tiled_64x64_v4", "tiled_128x128_db_v4", "tiled_128x128_k16_v4",
			"tiled_64x128_v4", "tiled_128x64_v4", "regblock"},
			[]string{"tiled_128x128", "tiled_64x64", "tiled_32x32", "tiled_128x128_db", "tiled_64x64_db", "tiled_128x128_k16",
				"tiled_64x128", "tiled_128x64", "tiled_128x128_v4", "tiled_64x64_v4", "tiled_128x128_db_v4", "tiled_128x128_k16_v4",
				"tiled_64x128_v4", "tiled_128x64_v4", "splitk_64x64", "splitk_32x32", "regblock"}},
		{256, 17407, false, []string{"tiled_128x128", "tiled_64x64", "tiled_32x32", "tiled_64x128", "tiled_128x64", "tiled_128x128_v4",
			"tiled_64x64_v4", "tiled_64x128_v4", "tiled_128x64_v4", "regblock"},
			[]string{"tiled_128x128", "tiled_64x64", "tiled_32x32", "tiled_64x128", "tiled_128x64", "tiled_128x128_v4", "tiled_64x64_v4",
				"tiled_64x128_v4", "tiled_128x64_v4", "splitk_64x64", "splitk_32x32", "regblock"}},
		{256, 12799, false, []string{"tiled_128x128", "tiled_64x64", "tiled_32x32", "tiled_128x128_v4", "tiled_64x64_v4", "regblock"},
			[]string{"tiled_128x128", "tiled_64x64", "tiled_32x32", "tiled_128x128_v4", "tiled_64x64_v4", "splitk_64x64", "splitk_32x32", "regblock"}},
		{128, 8704, false, []string{"tiled_32x32", "regblock"}, []string{"tiled_32x32", "splitk_32x32", "regblock"}},
		{256, 8703, true, []string{"tiled_32x32", "subgroup", "regblock"}, []string{"tiled_32x32", "splitk_32x32", "subgroup", "regblock"}},
		{256, 4607, false, []string{"regblock"}, []string{"regblock"}},
		{32, 16384, false, []string{"regblock"}, []string{"regblock"}},
	} {
		d.Limit.MaxComputeWorkGroupInvocations = lim.inv
		d.Limit.MaxComputeSharedMemorySize = lim.shared
		d.sg8 = lim.sg8
		if got := d.candidates(classSmall); !slices.Equal(got, lim.small) {
			t.Errorf("%+v: small candidates %v, want %v", lim, got, lim.small)
		}
		if got := d.candidates(classSplitK); !slices.Equal(got, lim.splitk) {
			t.Errorf("%+v: split-K candidates %v, want %v", lim, got, lim.splitk)
		}
		for _, class := range Classes {
			for _, typ := range []string{"cpu", "discrete"} {
				d.Info.Type = typ
				if k := d.table(class); !d.supported(k) {
					t.Errorf("%+v %s: table picks %s for %s, which the device cannot run", lim, typ, k, class)
				}
			}
		}
	}
	// Measure with the smallest limits: only regblock is timed.
	d.Info.Type = "cpu"
	c, err := d.measureClass(classSmall)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.GFLOPs) != 1 || c.Kernel != "regblock" {
		t.Errorf("measured with 32 invocations: %s from %v, want regblock alone", c.Kernel, c.GFLOPs)
	}
}

// TestGemmVariantUnsupported: forcing a kernel the device cannot run fails
// with an error that wraps ErrUnsupported (the external tests skip on
// it), and an unknown name fails without it.
func TestGemmVariantUnsupported(t *testing.T) {
	small := vkrt.Family{Info: vkrt.DeviceInfo{Name: "small", Type: "discrete"}}
	small.Limit.MaxComputeWorkGroupInvocations = 32
	small.Limit.MaxComputeWorkGroupSize = [3]uint32{32, 32, 32}
	small.Limit.MaxComputeSharedMemorySize = 16384
	for _, v := range []string{"subgroup", "tiled", "tiled_128x128", "splitk", "splitk_32x32"} {
		if _, err := newOps(small, Config{Variant: v}, false); !errors.Is(err, ErrUnsupported) {
			t.Errorf("GemmVariant %s on a 32-invocation device without subgroups: %v, want ErrUnsupported", v, err)
		}
	}
	if _, err := newOps(small, Config{Variant: "regblock"}, false); err != nil {
		t.Errorf("GemmVariant regblock: %v", err)
	}
	if _, err := newOps(small, Config{Variant: "nonsense"}, false); err == nil || errors.Is(err, ErrUnsupported) {
		t.Errorf("GemmVariant nonsense: %v, want an unknown-variant error", err)
	}
}

// TestGemmAutotuneSecondRound: a candidate that one round times slowly
// (within 8x of the best) is timed again and can still win; one far behind
// is not timed again. Synthetic medians through Config.Timed, set at open.
func TestGemmAutotuneSecondRound(t *testing.T) {
	var late, far string
	rounds := map[string][]int{}
	d := openTunedTimed(t, func(kernel string, round int, _ time.Duration) time.Duration {
		rounds[kernel] = append(rounds[kernel], round)
		switch {
		case kernel == late && round == 1:
			return 12 * time.Millisecond // a slow first round (6x the others)
		case kernel == late:
			return time.Millisecond // its real speed
		case kernel == far:
			return 20 * time.Millisecond // 10x
		}
		return 2 * time.Millisecond
	})
	cands := d.candidates("small")
	if len(cands) < 2 {
		t.Skipf("one GEMM candidate on this device (%v)", cands)
	}
	late, far = cands[0], cands[len(cands)-1]
	c := d.tuneClass("small")
	if c.Kernel != late {
		t.Errorf("chose %s (GFLOP/s %v), want %s, timed again at its real speed", c.Kernel, c.GFLOPs, late)
	}
	if !slices.Equal(rounds[late], []int{1, 2}) {
		t.Errorf("%s timed in rounds %v, want [1 2]", late, rounds[late])
	}
	if len(cands) > 2 && !slices.Equal(rounds[far], []int{1}) {
		t.Errorf("%s (10x the best) timed in rounds %v, want [1]", far, rounds[far])
	}
}
