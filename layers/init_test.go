package layers_test

import (
	"math"
	"strings"
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
)

// TestInitLikeTorchvision: conv weights N(0, 2/fan_out), BN gamma 1 / beta 0
// and running stats (0, 1), gamma 0 on each block's last BN with
// ZeroInitResidual, head Linear U(-1/sqrt(in), 1/sqrt(in)); and the same
// seed gives the same weights.
func TestInitLikeTorchvision(t *testing.T) {
	b := cpu.New(cpu.Options{})
	for _, arch := range []string{"resnet18", "resnet50"} {
		cfg := layers.Config{Encoder: layers.ResNetConfig{Arch: arch, Stem: layers.StemCIFAR, Width: 0.25, ZeroInitResidual: true}, Seed: 3}
		m := newModel(t, b, cfg)
		last := "bn2"
		if arch == "resnet50" {
			last = "bn3"
		}
		for _, s := range m.State() {
			if s.Tensor == nil {
				continue
			}
			v := cpu.Data(s.Tensor)
			name := s.Name
			switch {
			case strings.HasSuffix(name, "running_mean"), strings.HasSuffix(name, ".bias") && !strings.HasPrefix(name, "head."):
				expectConst(t, name, v, 0)
			case strings.HasSuffix(name, "running_var"):
				expectConst(t, name, v, 1)
			case strings.HasPrefix(name, "layer") && strings.HasSuffix(name, "."+last+".weight"):
				expectConst(t, name, v, 0)
			case s.Tensor.Rank() == 1 && strings.HasSuffix(name, ".weight"):
				expectConst(t, name, v, 1)
			case s.Tensor.Rank() == 4:
				sh := s.Tensor.Shape()
				want := math.Sqrt(2 / float64(sh[0]*sh[2]*sh[3]))
				if len(v) >= 4096 {
					mean, std := moments(v)
					if math.Abs(mean) > 4*want/math.Sqrt(float64(len(v))) || math.Abs(std/want-1) > 0.05 {
						t.Errorf("%s %s: mean %.4g std %.4g, want N(0, %.4g^2)", arch, name, mean, std, want)
					}
				}
			case s.Tensor.Rank() == 2:
				bound := 1 / math.Sqrt(float64(s.Tensor.Dim(1)))
				for _, x := range v {
					if math.Abs(float64(x)) > bound {
						t.Fatalf("%s: %v outside U(-%g, %g)", name, x, bound, bound)
					}
				}
				if _, std := moments(v); math.Abs(std/(bound/math.Sqrt(3))-1) > 0.05 {
					t.Errorf("%s: std %.4g, want %.4g", name, std, bound/math.Sqrt(3))
				}
			}
		}
		m2 := newModel(t, b, cfg)
		for i, p := range m.Params() {
			a, c := cpu.Data(p.Value), cpu.Data(m2.Params()[i].Value)
			for j := range a {
				if a[j] != c[j] {
					t.Fatalf("%s differs between two models from the same seed", p.Name)
				}
			}
		}
		m.Release()
		m2.Release()
	}
}

func expectConst(t *testing.T, name string, v []float32, c float32) {
	t.Helper()
	for i, x := range v {
		if x != c {
			t.Errorf("%s[%d] = %v, want %v", name, i, x, c)
			return
		}
	}
}

func moments(v []float32) (mean, std float64) {
	for _, x := range v {
		mean += float64(x)
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (float64(x) - mean) * (float64(x) - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)))
}
