package cpu

import (
	"fmt"
	"math/rand"
	"testing"
)

func TestResNet18Convs(t *testing.T) {
	// CIFAR stem, width 64, 32x32x3: 11,159,232 conv weights (11,173,962
	// parameters with BN and a 10-class fc) and 0.555 G multiply-adds per
	// image, the usual ResNet-18 CIFAR figures.
	macs, weights := 0.0, 0
	for _, l := range ResNet18Convs(64, 32, 32, 3, 1) {
		macs += l.P.Flops() / 2 * float64(l.Count)
		weights += l.P.K * l.P.C * l.P.R * l.P.S * l.Count
	}
	if weights != 11159232 {
		t.Errorf("conv weights = %d, want 11159232", weights)
	}
	if macs < 0.5550e9 || macs > 0.5560e9 {
		t.Errorf("multiply-adds per image = %.4g, want 0.555e9", macs)
	}
	if l := ResNet18Convs(16, 96, 96, 3, 1); l[0].P.R != 7 || l[1].P.H != 24 {
		t.Errorf("ImageNet stem: first layers %+v %+v", l[0].P, l[1].P)
	}
}

// BenchmarkConv: the three passes of every distinct ResNet-18 CIFAR-stem
// convolution at widths 16 and 64, batch 32, 32x32x3 images, in GFLOP/s.
func BenchmarkConv(b *testing.B) {
	for _, width := range []int{16, 64} {
		for _, l := range ResNet18Convs(width, 32, 32, 3, 32) {
			p := l.P
			be := New(Options{})
			rng := rand.New(rand.NewSource(1))
			nx, nw, ny := convSizes(p)
			x, w, y, dx, dw := be.New(nx), be.New(nw), be.New(ny), be.New(nx), be.New(nw)
			be.Upload(x, randSlice(rng, nx))
			be.Upload(w, randSlice(rng, nw))
			be.Upload(y, randSlice(rng, ny))
			for _, pass := range []string{"forward", "backward_data", "backward_filter"} {
				b.Run(fmt.Sprintf("w%d/%s/%s", width, l.Name, pass), func(b *testing.B) {
					cpu0 := processCPUSeconds()
					for i := 0; i < b.N; i++ {
						switch pass {
						case "forward":
							be.Conv2DForward(y, x, w, p)
						case "backward_data":
							be.Conv2DBackwardData(dx, y, w, p)
						default:
							be.Conv2DBackwardFilter(dw, y, x, p)
						}
					}
					reportFlops(b, p.Flops(), cpu0)
				})
			}
		}
	}
}
