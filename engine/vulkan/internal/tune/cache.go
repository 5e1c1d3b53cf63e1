package tune

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"simclr-vk/engine/vulkan/internal/vkrt"
	"simclr-vk/internal/atomicfile"
	"simclr-vk/internal/regfile"
)

// The tuning cache: one JSON file (default
// $XDG_CACHE_HOME/simclr-vk/gemm-tune.json, else ~/.cache/simclr-vk/...)
// holding the measured kernel per device and shape class. An entry counts
// only for the same vendor id, device id, driver version and Vulkan API
// version (a driver update re-tunes). A file that is not a regular file,
// is larger than 8 MiB, does not parse, has another version or an invalid
// entry (parseTuneCache) is ignored with a logged note and replaced on the
// next write; writes go through internal/atomicfile (a temporary file renamed
// over the old one), so a reader never sees half a file.

// Version is the cache format version. Bump it when the kernels or the
// shape classes change, so that old choices are measured again (2: the
// convolution problems joined the GEMM classes; 3: the huge and skinny
// GEMM classes; 4: float32 kernels compete in cooperative-matrix mode,
// and the GEMM classes get a second timing round; 5: GEMM classes timed
// by wall clock on GPUs).
const Version = 5

// Key identifies a device and driver.
type Key struct {
	VendorID      uint32 `json:"vendor_id"`
	DeviceID      uint32 `json:"device_id"`
	DriverVersion uint32 `json:"driver_version"`
	APIVersion    string `json:"api_version"`
}

// Entry is one measured choice.
type Entry struct {
	Key
	Device   string             `json:"device"` // name, for people reading the file
	Class    string             `json:"class"`
	Kernel   string             `json:"kernel"`
	Problem  [3]int             `json:"problem_mnk"`
	GFLOPs   map[string]float64 `json:"gflop_per_s"`
	Timing   string             `json:"timing"`
	Measured string             `json:"measured_at"`
}

// File is the cache file's content.
type File struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
}

// DefaultCachePath is $XDG_CACHE_HOME/simclr-vk/gemm-tune.json, falling
// back to ~/.cache (os.UserCacheDir); "" when neither is known.
func DefaultCachePath() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "simclr-vk", "gemm-tune.json")
}

// Limits of the cache reader: a file or an entry beyond them is not a
// cache this package wrote (a few hundred bytes per device and shape
// class), so the file is ignored with a note and rewritten.
const (
	maxTuneCacheBytes = 8 << 20
	maxTuneEntries    = 16384
	maxTuneString     = 1024 // bytes of a name, class, kernel or date
	maxTuneKernels    = 256  // timings of one entry
)

// Load reads the cache once; a missing file is an empty cache, an
// unreadable, oversized, corrupt or foreign-version one is ignored with a
// note (and replaced on the next write).
func (t *Service) Load() {
	if t.file != nil {
		return
	}
	t.file = &File{Version: Version}
	if t.Path == "" {
		return
	}
	data, err := readTuneCache(t.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		t.Notef("gemm autotune: ignoring cache %s (it will be rewritten): %v", t.Path, err)
		return
	}
	f, err := parseTuneCache(data)
	if err != nil {
		t.Notef("gemm autotune: ignoring cache %s (it will be rewritten): %v", t.Path, err)
		return
	}
	t.file = f
}

// ReadCache reads and checks the cache file at path as Load does, for
// the tests that inspect what tuning wrote.
func ReadCache(path string) (*File, error) {
	return regfile.Decode(path, checkTuneCacheSize, parseTuneCache)
}

// readTuneCache reads the cache file: a regular file (opening a FIFO would
// block) of at most maxTuneCacheBytes.
func readTuneCache(path string) ([]byte, error) {
	return regfile.ReadChecked(path, checkTuneCacheSize)
}

func checkTuneCacheSize(_ io.ReaderAt, size int64) error {
	if size > maxTuneCacheBytes {
		return fmt.Errorf("larger than %d bytes", maxTuneCacheBytes)
	}
	return nil
}

// parseTuneCache decodes a cache file of this version and checks every
// entry: class and kernel named, strings and timings within the limits,
// non-negative problem sizes and timings. (Whether a kernel exists and
// runs on the device is checked where an entry is used.)
func parseTuneCache(data []byte) (*File, error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("corrupt: %w", err)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("version %d, this build uses version %d", f.Version, Version)
	}
	if len(f.Entries) > maxTuneEntries {
		return nil, fmt.Errorf("corrupt: %d entries, more than %d", len(f.Entries), maxTuneEntries)
	}
	for i, e := range f.Entries {
		if err := e.check(); err != nil {
			return nil, fmt.Errorf("corrupt: entry %d: %w", i, err)
		}
	}
	return &f, nil
}

// check validates one cache entry (see parseTuneCache).
func (e *Entry) check() error {
	if e.Class == "" || e.Kernel == "" {
		return fmt.Errorf("class %q, kernel %q: both must be named", e.Class, e.Kernel)
	}
	for _, s := range []string{e.APIVersion, e.Device, e.Class, e.Kernel, e.Timing, e.Measured} {
		if len(s) > maxTuneString {
			return fmt.Errorf("a %d-byte string, more than %d", len(s), maxTuneString)
		}
	}
	for _, n := range e.Problem {
		if n < 0 {
			return fmt.Errorf("class %s: problem size %v", e.Class, e.Problem)
		}
	}
	if len(e.GFLOPs) > maxTuneKernels {
		return fmt.Errorf("class %s: %d timings, more than %d", e.Class, len(e.GFLOPs), maxTuneKernels)
	}
	for k, v := range e.GFLOPs {
		if len(k) > maxTuneString || !(v >= 0) {
			return fmt.Errorf("class %s: timing %.40q = %g", e.Class, k, v)
		}
	}
	return nil
}

// Find returns the cached entry of a device and class.
func (t *Service) Find(key Key, class string) (Entry, bool) {
	for _, e := range t.file.Entries {
		if e.Key == key && e.Class == class {
			return e, true
		}
	}
	return Entry{}, false
}

// Store replaces the entry of the same device and class and writes the
// file; a failed write is a note, not an error (the choice still holds for
// this Device).
func (t *Service) Store(e Entry) {
	t.Load()
	out := t.file.Entries[:0:0]
	for _, old := range t.file.Entries {
		if old.Key != e.Key || old.Class != e.Class {
			out = append(out, old)
		}
	}
	t.file.Entries = append(out, e)
	if t.Path == "" {
		t.Notef("gemm autotune: no cache directory ($XDG_CACHE_HOME or $HOME), the choice is not saved")
		return
	}
	if err := WriteCache(t.Path, t.file); err != nil {
		t.Notef("gemm autotune: %v", err)
	}
}

// WriteCache writes f as indented JSON over path through
// atomicfile (temporary file, fsync, mode 0644, rename), creating the
// directory first.
func WriteCache(path string, f *File) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("write tuning cache: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write tuning cache: %w", err)
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
	if err != nil {
		return fmt.Errorf("write tuning cache %s: %w", path, err)
	}
	return nil
}

// KeyOf is the cache key of a device and driver.
func KeyOf(info vkrt.DeviceInfo) Key {
	return Key{VendorID: info.VendorID, DeviceID: info.DeviceID, DriverVersion: info.DriverVersion, APIVersion: info.APIVersion}
}
