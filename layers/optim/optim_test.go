package optim_test

import (
	"math/rand/v2"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
)

// twoParams: a conv-like weight (decayed, adapted) and a BN-like gamma
// (excluded), with random values and gradients.
func twoParams(b engine.Backend, rng *rand.Rand) ([]*layers.Param, [][]float32, [][]float32) {
	mk := func(name string, noDecay bool, n int) (*layers.Param, []float32, []float32) {
		p := &layers.Param{Name: name, Value: b.New(n), Grad: b.New(n), NoDecay: noDecay}
		w, g := make([]float32, n), make([]float32, n)
		for i := range w {
			w[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()*0.1)
		}
		b.Upload(p.Value, w)
		b.Upload(p.Grad, g)
		return p, w, g
	}
	p1, w1, g1 := mk("conv1.weight", false, 27)
	p2, w2, g2 := mk("bn1.weight", true, 3)
	return []*layers.Param{p1, p2}, [][]float32{w1, w2}, [][]float32{g1, g2}
}

// TestStepMatchesReference: three steps of each kind against the CPU
// reference functions applied per parameter with the exclusion flags.
func TestStepMatchesReference(t *testing.T) {
	for _, kind := range optim.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			b := cpu.New(cpu.Options{})
			params, w, g := twoParams(b, rand.New(rand.NewPCG(1, 2)))
			cfg := optim.DefaultConfig(kind)
			cfg.WeightDecay = 0.01
			o, err := optim.New(b, params, cfg)
			if err != nil {
				t.Fatal(err)
			}
			m := [][]float32{make([]float32, len(w[0])), make([]float32, len(w[1]))}
			v := [][]float32{make([]float32, len(w[0])), make([]float32, len(w[1]))}
			for s := 1; s <= 3; s++ {
				lr := 0.1 * float32(s)
				o.Step(lr)
				for i, p := range params {
					wd := cfg.WeightDecay
					if p.NoDecay {
						wd = 0
					}
					switch kind {
					case optim.LARS:
						cpu.LARSStep(w[i], g[i], m[i], lr, cfg.Momentum, wd, cfg.Eta, p.NoDecay)
					case optim.SGD:
						cpu.SGDStep(w[i], g[i], m[i], lr, cfg.Momentum, wd, cfg.Nesterov)
					case optim.AdamW:
						cpu.AdamWStep(w[i], g[i], m[i], v[i], lr, cfg.Beta1, cfg.Beta2, cfg.Eps, wd, s)
					}
				}
			}
			for i, p := range params {
				got := make([]float32, p.Numel())
				if err := b.Download(p.Value, got); err != nil {
					t.Fatal(err)
				}
				conformance.Close(t, p.Name, got, w[i], conformance.Tol{Atol: 1e-6, Rtol: 1e-5})
			}
			if o.Steps() != 3 {
				t.Errorf("Steps = %d, want 3", o.Steps())
			}
			o.Release()
		})
	}
}

// TestStateRoundTrip: the state of one optimizer loaded into a fresh one
// gives identical next steps.
func TestStateRoundTrip(t *testing.T) {
	for _, kind := range optim.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			b := cpu.New(cpu.Options{})
			pa, _, _ := twoParams(b, rand.New(rand.NewPCG(3, 4)))
			pb, _, _ := twoParams(b, rand.New(rand.NewPCG(3, 4)))
			oa, err := optim.New(b, pa, optim.DefaultConfig(kind))
			if err != nil {
				t.Fatal(err)
			}
			oa.Step(0.1)
			oa.Step(0.1)
			saved := map[string][]float32{}
			names := []string{}
			for _, s := range oa.State() {
				v := make([]float32, s.Tensor.Numel())
				if err := b.Download(s.Tensor, v); err != nil {
					t.Fatal(err)
				}
				saved[s.Name] = v
				names = append(names, s.Name)
			}
			want := map[optim.Kind][]string{
				optim.LARS:  {"conv1.weight.momentum_buffer", "bn1.weight.momentum_buffer"},
				optim.SGD:   {"conv1.weight.momentum_buffer", "bn1.weight.momentum_buffer"},
				optim.AdamW: {"conv1.weight.exp_avg", "conv1.weight.exp_avg_sq", "bn1.weight.exp_avg", "bn1.weight.exp_avg_sq"},
			}[kind]
			if len(names) != len(want) {
				t.Fatalf("state names %v, want %v", names, want)
			}
			for i := range want {
				if names[i] != want[i] {
					t.Errorf("state %d is %s, want %s", i, names[i], want[i])
				}
			}
			// Bring pb's weights to pa's, load the state, step both.
			for i := range pa {
				b.Copy(pb[i].Value, pa[i].Value)
			}
			ob, err := optim.New(b, pb, optim.DefaultConfig(kind))
			if err != nil {
				t.Fatal(err)
			}
			if err := ob.LoadState(saved, oa.Steps()); err != nil {
				t.Fatal(err)
			}
			oa.Step(0.05)
			ob.Step(0.05)
			for i := range pa {
				wa, wb := make([]float32, pa[i].Numel()), make([]float32, pb[i].Numel())
				b.Download(pa[i].Value, wa)
				b.Download(pb[i].Value, wb)
				conformance.Close(t, pa[i].Name, wb, wa, conformance.Tol{})
			}
			delete(saved, want[0])
			if err := ob.LoadState(saved, 1); err == nil {
				t.Error("LoadState accepted a state with a tensor missing")
			}
		})
	}
}

func TestUnknownKind(t *testing.T) {
	if _, err := optim.New(cpu.New(cpu.Options{}), nil, optim.Config{Kind: "adagrad"}); err == nil {
		t.Error("unknown optimizer accepted")
	}
}
