package modelio

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/export"
)

// writeHalfSafetensors writes st as a safetensors file in which every F32
// tensor is stored as dtype (F16 or BF16, the writer of package export
// takes F32 and I64 only), and returns st with each F32 tensor's values
// rounded as stored: what a reader must give back.
func writeHalfSafetensors(t *testing.T, path, dtype string, st []export.Tensor) []export.Tensor {
	t.Helper()
	header := map[string]any{}
	var buf []byte
	out := make([]export.Tensor, len(st))
	for i, x := range st {
		out[i] = x
		begin := len(buf)
		if x.DType == export.I64 {
			for _, v := range x.I64 {
				buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
			}
		} else {
			out[i].F32 = make([]float32, len(x.F32))
			for j, v := range x.F32 {
				var h uint16
				if dtype == export.F16 {
					h = engine.Float16Bits(v)
					out[i].F32[j] = engine.Float16Value(h)
				} else { // BF16, truncated: rounding is the writer's business
					h = uint16(math.Float32bits(v) >> 16)
					out[i].F32[j] = math.Float32frombits(uint32(h) << 16)
				}
				buf = binary.LittleEndian.AppendUint16(buf, h)
			}
			out[i].DType = dtype
		}
		header[x.Name] = map[string]any{"dtype": out[i].DType, "shape": x.Shape, "data_offsets": []int{begin, len(buf)}}
	}
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	file := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	if err := os.WriteFile(path, append(append(file, h...), buf...), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInitFromHalfWeights: an encoder saved in F16 or BF16 (a model kept
// in half precision or bfloat16 in PyTorch) initialises the encoder with
// exactly the stored values widened to float32, with a note saying so.
func TestInitFromHalfWeights(t *testing.T) {
	b := cpu.New(cpu.Options{})
	_, _, ts := trainedTensors(t, b, 7)
	enc, _ := splitHead(ts)
	for _, dtype := range []string{export.F16, export.BF16} {
		path := filepath.Join(t.TempDir(), "w.safetensors")
		stored := writeHalfSafetensors(t, path, dtype, export.StateDict(&checkpoint.Checkpoint{Tensors: enc}))
		want := make([]checkpoint.Tensor, len(enc))
		for i, x := range enc {
			want[i] = x
			for _, s := range stored {
				if s.Name == x.Name && s.DType == dtype {
					want[i].Data = s.F32
				}
			}
		}
		dst := newModel(t, b, tinyConfig(1.0/16, 9))
		notes, err := InitFromNotes(dst, path)
		if err != nil {
			t.Fatalf("%s: %v", dtype, err)
		}
		if !strings.Contains(strings.Join(notes, "\n"), "tensors as float32") || !strings.Contains(strings.Join(notes, "\n"), " "+dtype+" ") {
			t.Errorf("%s: notes %q", dtype, notes)
		}
		got, _ := Tensors(dst)
		gotEnc, _ := splitHead(got)
		sameTensors(t, gotEnc, want)
	}
}
