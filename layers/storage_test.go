package layers_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/layers/layerstest"
)

// storageCases cover every op's float16 path: the fused batch norm (the
// plain step, eval-mode features, the training-mode projection), the
// batch-norm-in-parts ops (BN groups), gradient caching's chunks and
// seeded z, the max pool (ImageNet stem), the bottleneck, and biased
// convolutions with a weight used twice (SharedConvNet).
func storageCases() []layerstest.StorageCase {
	cifar := tinyConfig("resnet18", layers.StemCIFAR)
	return []layerstest.StorageCase{
		{Name: "resnet18 cifar", Cfg: cifar, N: 4, HW: 16, Steps: 3, Scale: 1024},
		{Name: "resnet18 imagenet", Cfg: tinyConfig("resnet18", layers.StemImageNet), N: 3, HW: 32, Steps: 2, Scale: 256},
		{Name: "resnet50 cifar", Cfg: tinyConfig("resnet50", layers.StemCIFAR), N: 3, HW: 16, Steps: 2, Scale: 1024},
		{Name: "bn groups", Cfg: cifar, N: 4, HW: 16, Steps: 2, BNGroups: 2, Scale: 1024},
		{Name: "micro-batch", Cfg: cifar, N: 4, HW: 16, Steps: 2, Micro: 2, Scale: 1024},
		{Name: "biased convs", Cfg: cifar, N: 4, HW: 8, Steps: 3, Scale: 64, Mutate: func(m *layers.Model) {
			layers.SetNet(m, layerstest.SharedConvNet(m.Backend()))
		}},
	}
}

// TestMixedStorageBitIdentical: on the CPU backend, training steps with
// float16 storage give the rounding-pass emulation's losses, gradients,
// parameters, running statistics, features and projections bit for bit
// (the two round at the same points, once each); and the two runs did
// take different paths (Float16Stored).
func TestMixedStorageBitIdentical(t *testing.T) {
	b := cpu.New(cpu.Options{})
	for _, c := range storageCases() {
		t.Run(c.Name, func(t *testing.T) {
			want, got := layerstest.StorageRuns(t, b, c, layers.MixedStorageFloat16)
			for _, d := range layerstest.StorageBitsEqual(got, want) {
				t.Error(d)
			}
			t.Logf("losses %v, %d tensors compared", got.Losses, len(got.Values))
		})
	}
}

// noFloat16 is a backend without engine.Float16Storer (the CPU backend's
// ops, its float16 storage hidden).
type noFloat16 struct{ engine.Backend }

// TestMixedStorageFallback: on a backend without float16 storage,
// MixedStorageAuto and MixedStorageFloat16 are the rounding-pass emulation
// (Float16Stored false, the same bits as MixedStorageRound); on the CPU
// backend, whose float16 tensors are float32 memory, MixedStorageAuto is
// the emulation too.
func TestMixedStorageFallback(t *testing.T) {
	b := noFloat16{cpu.New(cpu.Options{})}
	if engine.Float16Support(b) == nil {
		t.Fatal("the wrapper still has float16 storage")
	}
	c := storageCases()[0]
	c.Steps = 1
	want := layerstest.StorageRun(t, b, c, layers.MixedStorageRound)
	for _, s := range []layers.MixedStorage{layers.MixedStorageAuto, layers.MixedStorageFloat16} {
		got := layerstest.StorageRun(t, b, c, s)
		if got.Stored {
			t.Errorf("Float16Stored with storage %d on a backend without float16 storage", s)
		}
		for _, d := range layerstest.StorageBitsEqual(got, want) {
			t.Error(d)
		}
	}
	if got := layerstest.StorageRun(t, cpu.New(cpu.Options{}), c, layers.MixedStorageAuto); got.Stored {
		t.Error("Float16Stored with MixedStorageAuto on the CPU backend (float16 tensors in float32 memory)")
	}
}

// downloads counts a backend's Download calls (host syncs).
type downloads struct {
	engine.Backend
	n int
}

func (d *downloads) Download(t *engine.Tensor, dst []float32) error {
	d.n++
	return d.Backend.Download(t, dst)
}

// TestMixedBatchNormOnDevice: a mixed-precision step without split BN
// finishes every batch norm's statistics on the device
// (BatchNormFinish, BatchNormBackwardFinish): it downloads less than
// once per batch-norm layer (the host finish downloaded twice per layer).
func TestMixedBatchNormOnDevice(t *testing.T) {
	b := &downloads{Backend: cpu.New(cpu.Options{})}
	m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
	defer m.Release()
	m.SetPrecision(layers.PrecisionMixed)
	bns := 0
	for _, s := range m.State() {
		if strings.HasSuffix(s.Name, "running_mean") {
			bns++
		}
	}
	x := layerstest.Upload(b, layerstest.RandomViews(3, 4, 3, 16, 16, 0.3), 8, 3, 16, 16)
	defer x.Release()
	if _, _, err := m.Step(x, 0.5); err != nil { // warm-up: the pools fill
		t.Fatal(err)
	}
	b.n = 0
	if _, _, err := m.Step(x, 0.5); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d downloads in a step of %d batch-norm layers", b.n, bns)
	if bns < 10 || b.n >= bns {
		t.Errorf("%d downloads in a mixed step of %d batch-norm layers: want fewer than one per layer", b.n, bns)
	}
}

// hostInvStd is a backend whose BatchNormInvStd is what layers' mixed eval
// forward computed on the host before the op existed: download the
// running variance, float32(1/sqrt(float64(v) + float64(eps))), upload.
type hostInvStd struct{ engine.Backend }

func (h hostInvStd) BatchNormInvStd(invStd, runVar *engine.Tensor, p engine.BatchNormParams) {
	v := make([]float32, p.C)
	if err := h.Download(runVar, v); err != nil {
		panic(err)
	}
	for ch := range v {
		v[ch] = float32(1 / math.Sqrt(float64(v[ch])+float64(p.Eps)))
	}
	h.Upload(invStd, v)
}

// TestMixedEvalOnDevice: mixed precision's eval forward (Features: the kNN
// monitor, linear evaluation, embedding export) takes batch norm's invStd
// from the running variance on the device (BatchNormInvStd): it downloads
// nothing (the host computation downloaded the running variance of every
// batch-norm layer), and on the CPU its features are bit for bit those of
// the host computation, after a training step has moved the running
// statistics away from (0, 1).
func TestMixedEvalOnDevice(t *testing.T) {
	cfg := tinyConfig("resnet18", layers.StemCIFAR)
	xs := layerstest.RandomViews(3, 4, 3, 16, 16, 0.3)
	d := &downloads{Backend: cpu.New(cpu.Options{})}
	var h [2][]float32
	for i, b := range []engine.Backend{d, hostInvStd{cpu.New(cpu.Options{})}} {
		m := newModel(t, b, cfg)
		defer m.Release()
		m.SetPrecision(layers.PrecisionMixed)
		x := layerstest.Upload(b, xs, 8, 3, 16, 16)
		defer x.Release()
		if _, _, err := m.Step(x, 0.5); err != nil {
			t.Fatal(err)
		}
		ht := b.New(8, m.Encoder.FeatureDim())
		defer ht.Release()
		for k := 0; k < 2; k++ { // the first fills the pool
			d.n = 0
			if err := m.Features(ht, x); err != nil {
				t.Fatal(err)
			}
		}
		if i == 0 && d.n > 0 {
			t.Errorf("a mixed-precision eval forward downloads %d times, want none", d.n)
		}
		h[i] = layerstest.Download(t, b, ht)
	}
	n := 0
	for j := range h[1] {
		if math.Float32bits(h[0][j]) != math.Float32bits(h[1][j]) {
			if n++; n <= 3 {
				t.Errorf("feature %d: %v on the device, %v with the host's invStd", j, h[0][j], h[1][j])
			}
		}
	}
	if n > 0 {
		t.Errorf("%d of %d features differ from the host computation's", n, len(h[1]))
	}
}

// TestProjectOneImage: a training-mode projection of one image has one
// value per channel after the pooling, too few for a batch variance:
// mixed precision (BatchNormFinish) refuses it as float32 precision's fused
// batch norm does, rather than writing NaN running variances.
func TestProjectOneImage(t *testing.T) {
	b := cpu.New(cpu.Options{})
	for _, p := range []layers.Precision{layers.PrecisionFP32, layers.PrecisionMixed} {
		m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
		m.SetPrecision(p)
		x := layerstest.Upload(b, layerstest.RandomViews(3, 1, 3, 8, 8, 0.3)[:3*8*8], 1, 3, 8, 8)
		z := b.New(1, m.Head.OutDim())
		msg := func() (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			_ = m.Project(z, x)
			return
		}()
		if !strings.Contains(msg, "need more than 1 value per channel") {
			t.Errorf("%v: Project on one image: panic %q, want one saying it needs more than 1 value per channel", p, msg)
		}
		z.Release()
		x.Release()
		m.Release()
	}
}
