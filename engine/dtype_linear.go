package engine

import "fmt"

// The float16 operands of the ops a mixed-precision linear layer, the
// pools and the gradient accumulation need (issue #18), joined to
// Float16Operands' table here so that each op group's entries sit in a
// file of their own. What each op allows:
//   - Gemm, GemmBatched: a, b and c each float32 or float16, in any
//     combination (a linear layer's activations and their gradients
//     float16, its weight and weight gradient float32 masters); the
//     products and sums in float32, alpha*op(A)op(B) + beta*C rounded
//     once where c is float16. On Vulkan only the general register-blocked
//     kernel has float16 variants: every product with a float16 operand
//     runs on it, whatever the shape class, the tuning or CoopMat choose
//     for float32 (engine/vulkan/internal/gemm/gemm16.go);
//   - BiasForward: y float32 or float16 (y + bias rounded once); bias
//     float32;
//   - BiasBackward: dy float32 or float16; db float32;
//   - MaxPool2DForward: x and y float16, or neither (y exact: a
//     selection); argmax float32 (plane indices past 2048 are no float16
//     values);
//   - MaxPool2DBackward: dy and dx float16, or neither (dx rounded once:
//     overlapping windows add); argmax float32;
//   - GlobalAvgPoolForward, GlobalAvgPoolBackward: x and y (dy and dx)
//     float16, or neither (the mean, dy/hw, rounded once);
//   - Axpy: y and x float16 (y + alpha*x in float32, rounded once), or x
//     float16 into a float32 y (an accumulator), or neither.
func init() {
	for op, names := range map[string]string{
		"Gemm":                  "a b c",
		"GemmBatched":           "a b c",
		"BiasForward":           "y",
		"BiasBackward":          "dy",
		"MaxPool2DForward":      "y x",
		"MaxPool2DBackward":     "dx dy",
		"GlobalAvgPoolForward":  "y x",
		"GlobalAvgPoolBackward": "dx dy",
		"Axpy":                  "y x",
	} {
		float16Operands[op] = names
	}
}

// CheckNumelAs is CheckNumelOf for an operand stored as another one is
// (ref, named refName, already checked): a max-pool's y as its x, say.
// It panics unless t is live, holds n elements and has ref's dtype,
// naming both operands when only the dtypes differ.
func CheckNumelAs(op, name string, t *Tensor, n int, refName string, ref *Tensor) {
	checkLive(op, name, t)
	if t.dtype != ref.dtype {
		panic(fmt.Sprintf("engine: %s: %s %v is stored as %v but %s as %v; %s takes them as one dtype", op, name, t, t.dtype, refName, ref.dtype, op))
	}
	CheckNumelOf(op, name, t, n, ref.dtype)
}
