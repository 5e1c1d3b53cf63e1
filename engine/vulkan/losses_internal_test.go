package vulkan

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// glslPushFields returns the scalar types ("uint", "int", "float") of the
// push-constant block of shaders/<shader>.comp, field by field in order.
func glslPushFields(t *testing.T, shader string) []string {
	t.Helper()
	src, err := os.ReadFile("../../shaders/" + shader + ".comp")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)layout\(push_constant\) uniform \w+ \{(.*?)\}`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s.comp: no push-constant block", shader)
	}
	var types []string
	for _, decl := range strings.Split(string(m[1]), ";") {
		f := strings.Fields(strings.ReplaceAll(decl, ",", " "))
		if len(f) == 0 {
			continue
		}
		for range f[1:] { // "float a, b" declares two fields
			types = append(types, f[0])
		}
	}
	return types
}

// TestLossOptimPushConstants: each Go push struct of the batch-norm, L2,
// cross-entropy, NT-Xent and optimizer kernels mirrors its GLSL block field
// by field (same count, same scalar types, 4-byte fields without padding).
func TestLossOptimPushConstants(t *testing.T) {
	goType := map[reflect.Kind]string{reflect.Uint32: "uint", reflect.Int32: "int", reflect.Float32: "float"}
	for _, c := range []struct {
		push    any
		shaders []string
	}{
		{pushBatchNorm{}, []string{"batchnorm_forward_train", "batchnorm_forward_infer", "batchnorm_backward"}},
		{pushL2{}, []string{"l2normalize_forward", "l2normalize_backward"}},
		{pushCrossEntropy{}, []string{"softmax_cross_entropy"}},
		{pushSGD{}, []string{"sgd_step"}},
		{pushAdamW{}, []string{"adamw_step"}},
		{pushLARS{}, []string{"lars_norms", "lars_step"}},
		{pushNTXent{}, []string{"ntxent_forward", "ntxent_loss", "ntxent_backward", "ntxent_backward_finish",
			"ntxent_forward_unfused", "ntxent_backward_unfused", "ntxent_forward_tiled", "ntxent_backward_tiled"}},
	} {
		rt := reflect.TypeOf(c.push)
		var got []string
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			got = append(got, goType[f.Type.Kind()])
			if f.Offset != uintptr(4*i) {
				t.Errorf("%s.%s at offset %d, want %d", rt.Name(), f.Name, f.Offset, 4*i)
			}
		}
		if rt.Size() != uintptr(4*rt.NumField()) || rt.Size() > pushRangeSize {
			t.Errorf("%s: %d bytes for %d fields (push range %d)", rt.Name(), rt.Size(), rt.NumField(), pushRangeSize)
		}
		for _, sh := range c.shaders {
			if want := glslPushFields(t, sh); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Go fields %v, %s.comp block %v", rt.Name(), got, sh, want)
			}
		}
	}
}
