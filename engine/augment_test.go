package engine

import (
	"strings"
	"testing"
)

// TestCheckAugment: AugmentViews misuse panics with a message naming the
// op and the offending value; a good batch passes.
func TestCheckAugment(t *testing.T) {
	img := func(c, h, w int) AugmentImage { return AugmentImage{C: c, H: h, W: w, Pix: make([]uint8, c*h*w)} }
	good := AugmentView{CropW: 4, CropH: 3, Brightness: 1, Contrast: 1, Saturation: 1, Order: [4]int{0, 1, 2, 3}}
	dst := NewTensor(nil, nil, 2, 3, 5, 5)
	ok := []AugmentImage{img(3, 3, 4), img(3, 7, 9)}
	if c, s := CheckAugment(dst, ok, []AugmentView{good, good}); c != 3 || s != 5 {
		t.Fatalf("good batch: C %d size %d", c, s)
	}
	mod := func(f func(*AugmentView)) []AugmentView {
		v := good
		f(&v)
		return []AugmentView{good, v}
	}
	cases := []struct {
		name   string
		dst    *Tensor
		images []AugmentImage
		views  []AugmentView
		want   string
	}{
		{"no views", dst, ok, nil, "0 views"},
		{"channels differ", dst, []AugmentImage{img(3, 3, 4), img(1, 3, 4)}, []AugmentView{good, good}, "image 1 has 1 channels"},
		{"2 channels", NewTensor(nil, nil, 2, 2, 5, 5), []AugmentImage{img(2, 3, 4)}, []AugmentView{good, good}, "want 1 or 3"},
		{"short pixels", dst, []AugmentImage{{C: 3, H: 3, W: 4, Pix: make([]uint8, 5)}}, []AugmentView{good, good}, "has 5 bytes"},
		{"dst rows", NewTensor(nil, nil, 3, 3, 5, 5), ok, []AugmentView{good, good}, "want (2, 3, size, size)"},
		{"dst not square", NewTensor(nil, nil, 2, 3, 4, 5), ok, []AugmentView{good, good}, "want (2, 3, size, size)"},
		{"image index", dst, ok, mod(func(v *AugmentView) { v.Image = 2 }), "view 1: image 2 of 2"},
		{"crop outside", dst, ok, mod(func(v *AugmentView) { v.CropX = 1 }), "view 1: crop (1, 0) 4x3 outside image 0"},
		{"crop map overflow", NewTensor(nil, nil, 1, 1, 8192, 8192), []AugmentImage{{C: 1, H: 1, W: 200000, Pix: make([]uint8, 200000)}},
			[]AugmentView{{CropW: 200000, CropH: 1}}, "needs (2*size+1) * side < 2^31"},
		{"empty crop", dst, ok, mod(func(v *AugmentView) { v.CropW = 0 }), "outside image 0"},
		{"order", dst, ok, mod(func(v *AugmentView) { v.Jitter, v.Order = true, [4]int{0, 0, 1, 2} }), "not a permutation"},
		{"negative factor", dst, ok, mod(func(v *AugmentView) { v.Contrast = -1 }), "jitter factors"},
		{"even kernel", dst, ok, mod(func(v *AugmentView) { v.Blur, v.Kernel, v.Sigma = true, 4, 1 }), "blur kernel 4"},
		{"huge kernel", dst, ok, mod(func(v *AugmentView) { v.Blur, v.Kernel, v.Sigma = true, 4097, 1 }), "blur kernel 4097"},
		{"zero sigma", dst, ok, mod(func(v *AugmentView) { v.Blur, v.Kernel = true, 3 }), "sigma 0"},
		{"noise", dst, ok, mod(func(v *AugmentView) { v.Noise = -0.1 }), "noise std -0.1"},
		{"mean count", dst, ok, mod(func(v *AugmentView) { v.Mean, v.Std = []float32{0}, []float32{1} }), "1 Mean and 1 Std values for 3 channels"},
		{"std zero", dst, ok, mod(func(v *AugmentView) { v.Mean, v.Std = []float32{0, 0, 0}, []float32{1, 0, 1} }), "channel 1"},
	}
	for _, c := range cases {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "engine: AugmentViews: ") || !strings.Contains(msg, c.want) {
					t.Errorf("%s: panic %q, want one containing %q", c.name, msg, c.want)
				}
			}()
			CheckAugment(c.dst, c.images, c.views)
		}()
	}
}
