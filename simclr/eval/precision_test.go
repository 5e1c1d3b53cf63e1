package eval

import (
	"math"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
)

// TestMixedFeatures: on a mixed-precision model Extract's features are
// float16 values (every one equals its float16 rounding; in float32 they
// are not), within 1% of the largest float32 feature, and the linear probe
// on them learns the separable classes as in float32.
func TestMixedFeatures(t *testing.T) {
	ds, o := &synth{n: 40, c: 3, size: 8}, ExtractOptions{Size: 8, Batch: 16}
	m := tinyModel(t, cpu.New(cpu.Options{}), 3)
	f32, _, err := Extract(m, ds, o)
	if err != nil {
		t.Fatal(err)
	}
	m.SetPrecision(layers.PrecisionMixed)
	f16, _, err := Extract(m, ds, o)
	if err != nil {
		t.Fatal(err)
	}
	half := func(v []float32) (n int) {
		for _, x := range v {
			if engine.RoundFloat16(x) == x {
				n++
			}
		}
		return n
	}
	if n := half(f16); n != len(f16) {
		t.Errorf("mixed precision: %d of %d features are float16 values", n, len(f16))
	}
	if n := half(f32); n == len(f32) {
		t.Errorf("float32: every feature is a float16 value: the test cannot tell the precisions apart")
	}
	largest, worst := 0.0, 0.0
	for i, x := range f32 {
		largest = math.Max(largest, math.Abs(float64(x)))
		worst = math.Max(worst, math.Abs(float64(f16[i]-x)))
	}
	if worst > 0.01*largest {
		t.Errorf("mixed features differ from float32 by %g, %.3g of the largest %g (tolerance 0.01)", worst, worst/largest, largest)
	}
	train := &synth{n: 160, c: 3, size: 8}
	test := &synth{n: 80, c: 3, size: 8, offset: 1000}
	res, err := LinearProbe(m, train, test, LinearConfig{Size: 8, Epochs: 20, Batch: 32, LR: 0.5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.TestTop1 < 0.95 || res.TrainTop1 < 0.95 {
		t.Errorf("linear probe on mixed features: %+v", res)
	}
}

// TestFineTuneRefusesMixed: FineTune on a mixed-precision model is an
// error saying it is not supported yet (its tapes would train in float32),
// and leaves the model alone.
func TestFineTuneRefusesMixed(t *testing.T) {
	m := tinyModel(t, cpu.New(cpu.Options{}), 3)
	m.SetPrecision(layers.PrecisionMixed)
	before, err := m.StateHash()
	if err != nil {
		t.Fatal(err)
	}
	train := &synth{n: 40, c: 3, size: 8}
	test := &synth{n: 20, c: 3, size: 8, offset: 1000}
	_, _, err = FineTune(m, train, test, FineTuneConfig{LabelFraction: 0.5, FromStage: 3, Size: 8, Epochs: 1, Batch: 8, LR: 0.05, Seed: 2})
	if err == nil || !strings.Contains(err.Error(), "mixed precision is not supported yet") {
		t.Errorf("FineTune on a mixed model: %v, want not supported yet", err)
	}
	if after, _ := m.StateHash(); after != before {
		t.Errorf("the refused fine-tuning changed the model")
	}
}
