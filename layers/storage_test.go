package layers_test

import (
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
			want := layerstest.StorageRun(t, b, c, layers.MixedStorageRound)
			got := layerstest.StorageRun(t, b, c, layers.MixedStorageFloat16)
			if want.Stored || !got.Stored {
				t.Fatalf("Float16Stored: %v with MixedStorageRound, %v with MixedStorageFloat16; want false, true", want.Stored, got.Stored)
			}
			if k := want.NonFinite(); k > 0 {
				t.Fatalf("the emulation's run has %d Inf or NaN values: choose a smaller loss scale", k)
			}
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
