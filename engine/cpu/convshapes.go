package cpu

import (
	"fmt"

	"simclr-vk/engine"
)

// ConvLayer is one distinct convolution shape of a network and how many
// times it occurs in one forward pass.
type ConvLayer struct {
	Name  string
	P     engine.Conv2DParams
	Count int
}

// ResNet18Convs lists the distinct convolutions of a ResNet-18 of base
// width w (channels w, 2w, 4w, 8w) on batch images of h x wd x c. Images of
// at most 32 px use the CIFAR stem (3x3 stride 1, no max pool); larger ones
// the ImageNet stem (7x7 stride 2 pad 3, then 3x3 stride-2 max pool). It is
// the shape list of BenchmarkConv and `simclr-vk bench conv`.
func ResNet18Convs(width, h, wd, c, batch int) []ConvLayer {
	var out []ConvLayer
	conv := func(name string, cin, hin, win, cout, k, stride, count int) (int, int) {
		p := engine.Conv2DParams{N: batch, C: cin, H: hin, W: win, K: cout, R: k, S: k,
			StrideH: stride, StrideW: stride, PadH: k / 2, PadW: k / 2}
		out = append(out, ConvLayer{Name: name, P: p, Count: count})
		return p.OutH(), p.OutW()
	}
	if max(h, wd) <= 32 {
		h, wd = conv("stem_3x3", c, h, wd, width, 3, 1, 1)
	} else {
		h, wd = conv("stem_7x7_s2", c, h, wd, width, 7, 2, 1)
		mp := engine.Pool2DParams{N: 1, C: 1, H: h, W: wd, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
		h, wd = mp.OutH(), mp.OutW()
	}
	cin := width
	for stage := 0; stage < 4; stage++ {
		cout := width << stage
		name := fmt.Sprintf("layer%d", stage+1)
		if stage == 0 {
			conv(name+"_3x3", cin, h, wd, cout, 3, 1, 4)
			continue
		}
		conv(name+"_1x1_s2_downsample", cin, h, wd, cout, 1, 2, 1)
		h, wd = conv(name+"_3x3_s2", cin, h, wd, cout, 3, 2, 1)
		conv(name+"_3x3", cout, h, wd, cout, 3, 1, 3)
		cin = cout
	}
	return out
}
