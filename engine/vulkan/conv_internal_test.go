package vulkan

import (
	"testing"
	"unsafe"
)

// TestConvPoolPushSizes: the push-constant structs of the conv, bias and
// pool kernels have the size of their GLSL blocks (all 4-byte fields).
func TestConvPoolPushSizes(t *testing.T) {
	for name, got := range map[string]uintptr{
		"pushConv (14 uint)":   unsafe.Sizeof(pushConv{}),
		"pushBias (3 uint)":    unsafe.Sizeof(pushBias{}),
		"pushPool (12 uint)":   unsafe.Sizeof(pushPool{}),
		"pushAvgPool (2 uint)": unsafe.Sizeof(pushAvgPool{}),
	} {
		want := map[string]uintptr{"pushConv (14 uint)": 56, "pushBias (3 uint)": 12, "pushPool (12 uint)": 48, "pushAvgPool (2 uint)": 8}[name]
		if got != want {
			t.Errorf("%s: %d bytes, GLSL block has %d", name, got, want)
		}
	}
}

func TestConvFilterSplit(t *testing.T) {
	for _, c := range []struct{ total, groups, outN, target int }{
		{1, 1, 1, 32}, {63, 1, 9, 32}, {401408, 2, 2304, 32}, {401408, 4096, 2359296, 1024}, {1000, 3, 1 << 23, 1024},
	} {
		chunks, chunk := convFilterSplit(c.total, c.groups, c.outN, c.target)
		if chunks < 1 || chunk < 1 || (chunks-1)*chunk >= c.total || chunks*chunk < c.total {
			t.Errorf("%+v: %d chunks of %d do not tile %d pixels", c, chunks, chunk, c.total)
		}
		if chunks > 1 && (chunk < 64 || chunks*c.outN > 1<<24) {
			t.Errorf("%+v: %d chunks of %d: chunk too small or partials too large", c, chunks, chunk)
		}
	}
}
