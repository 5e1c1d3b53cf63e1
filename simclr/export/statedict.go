package export

import (
	"strings"

	"simclr-vk/simclr/checkpoint"
)

// StateDict turns a checkpoint's parameters and buffers (not the optimizer
// state) into safetensors tensors under their checkpoint names, in the
// checkpoint's order. Buffers named "*.num_batches_tracked" become I64, as
// in a torch state dict; everything else stays F32. Names are used as they
// are: the model code chooses torch-compatible names.
func StateDict(c *checkpoint.Checkpoint) []Tensor {
	var out []Tensor
	for _, t := range c.Tensors {
		if t.Kind != checkpoint.KindParam && t.Kind != checkpoint.KindBuffer {
			continue
		}
		shape := append([]int{}, t.Shape...)
		if t.Kind == checkpoint.KindBuffer && strings.HasSuffix(t.Name, ".num_batches_tracked") {
			v := make([]int64, len(t.Data))
			for i, x := range t.Data {
				v[i] = int64(x)
			}
			out = append(out, Tensor{Name: t.Name, DType: I64, Shape: shape, I64: v})
			continue
		}
		out = append(out, Tensor{Name: t.Name, DType: F32, Shape: shape, F32: append([]float32(nil), t.Data...)})
	}
	return out
}
