package tune

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"simclr-vk/internal/alloctest"
	"simclr-vk/internal/filetest"
)

// sampleTuneFile is a cache as WriteCache writes it: one GEMM class
// and one convolution problem.
func sampleTuneFile(t testing.TB) []byte {
	t.Helper()
	key := Key{VendorID: 0x10005, DeviceID: 1, DriverVersion: 0x5800005, APIVersion: "1.3.278"}
	f := File{Version: Version, Entries: []Entry{
		{Key: key, Device: "llvmpipe", Class: "small", Kernel: "subgroup", Problem: [3]int{256, 256, 256},
			GFLOPs: map[string]float64{"subgroup": 12.5, "regblock": 9}, Timing: "wall", Measured: "2026-12-07T13:00:00Z"},
		{Key: key, Device: "llvmpipe", Class: "forward N8 C16 H8 W8 K16 R3 S3", Kernel: "regblock_4x4", Problem: [3]int{16, 512, 144}},
	}}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTuneCacheParse: a written cache parses back; damaged entries make
// the whole file ignored with the entry and the cause named.
func TestTuneCacheParse(t *testing.T) {
	good := sampleTuneFile(t)
	f, err := parseTuneCache(good)
	if err != nil || len(f.Entries) != 2 || f.Entries[0].GFLOPs["subgroup"] != 12.5 {
		t.Fatalf("good cache: %+v, %v", f, err)
	}
	edit := func(from, to string) []byte {
		if !strings.Contains(string(good), from) {
			t.Fatalf("%q not in the sample", from)
		}
		return []byte(strings.Replace(string(good), from, to, 1))
	}
	version := `"version": ` + strconv.Itoa(Version)
	many := `{` + version + `,"entries":[` + strings.Repeat(`{"class":"c","kernel":"k"},`, maxTuneEntries) + `{"class":"c","kernel":"k"}]}`
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"no kernel", edit(`"kernel": "subgroup"`, `"kernel": ""`), `entry 0: class "small", kernel "": both must be named`},
		{"no class", edit(`"class": "small"`, `"class": ""`), "both must be named"},
		{"negative problem", edit(`16,`, `-16,`), "entry 1: class forward N8 C16 H8 W8 K16 R3 S3: problem size [-16 512 144]"},
		{"negative timing", edit(`12.5`, `-12.5`), `timing "subgroup" = -12.5`},
		{"long string", edit(`"llvmpipe"`, `"`+strings.Repeat("x", maxTuneString+1)+`"`), "1025-byte string"},
		{"too many entries", []byte(many), "16385 entries"},
		{"other version", edit(version, `"version": 4099582230`), "version 4099582230, this build uses version " + strconv.Itoa(Version)},
		{"not JSON", good[:len(good)/2], "corrupt"},
	} {
		if _, err := parseTuneCache(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestTuneCacheReadLimits: a FIFO (opening it would block), a directory
// and an oversized file are ignored with a note, without blocking or
// reading the whole file.
func TestTuneCacheReadLimits(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	filetest.FIFO(t, fifo)
	big := filepath.Join(dir, "big.json")
	os.WriteFile(big, append(sampleTuneFile(t), make([]byte, 4*maxTuneCacheBytes)...), 0o644)
	for path, want := range map[string]string{fifo: "not a regular file", dir: "not a regular file", big: "larger than 8388608 bytes"} {
		tn := &Service{Mode: "auto", Path: path}
		var alloc uint64
		filetest.Returns(t, 10*time.Second, path+": load", func() { alloc = alloctest.Bytes(tn.Load) })
		if len(tn.Notes) != 1 || !strings.Contains(tn.Notes[0], "ignoring cache "+path) || !strings.Contains(tn.Notes[0], want) {
			t.Errorf("%s: notes %q, want %q", path, tn.Notes, want)
		}
		if len(tn.file.Entries) != 0 || tn.file.Version != Version {
			t.Errorf("%s: cache %+v, want an empty one", path, tn.file)
		}
		if alloc > 2*maxTuneCacheBytes+1<<20 {
			t.Errorf("%s: load allocated %d bytes", path, alloc)
		}
	}
}

// FuzzTuneCache: any file parses to an error or entries that pass check
// and survive a write and re-read, never a panic, with at most 64 bytes
// allocated per input byte plus 1 MiB.
func FuzzTuneCache(f *testing.F) {
	f.Add(sampleTuneFile(f))
	f.Add([]byte(`{"version":5,"entries":[]}`))
	f.Add([]byte(`{"version":5,"entries":[{"class":"c","kernel":"k","problem_mnk":[1,2,3],"gflop_per_s":{"k":1}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tf, err := alloctest.Call(t, "parseTuneCache", len(data), alloctest.Linear(len(data), 64, 1<<20), func() (*File, error) { return parseTuneCache(data) })
		if err != nil {
			return
		}
		for i := range tf.Entries {
			if err := tf.Entries[i].check(); err != nil {
				t.Fatalf("entry %d accepted but invalid: %v", i, err)
			}
		}
		out, err := json.Marshal(tf)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseTuneCache(out)
		if err != nil || len(back.Entries) != len(tf.Entries) {
			t.Fatalf("re-read: %v", err)
		}
		for i := range back.Entries {
			a, b := back.Entries[i], tf.Entries[i]
			if len(a.GFLOPs) == 0 && len(b.GFLOPs) == 0 {
				a.GFLOPs, b.GFLOPs = nil, nil // {} and null both mean none
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("entry %d: %+v re-read as %+v", i, b, a)
			}
		}
	})
}
