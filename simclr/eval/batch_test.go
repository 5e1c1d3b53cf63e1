package eval

import (
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
)

// TestExtractSameFeaturesAnyBatch: eval-mode features do not depend on the
// extraction batch (each image goes through the encoder alone: BN uses
// its running statistics), bit for bit on the CPU backend, as long as
// every batch, the short last one included, holds at least as many images
// as the backend has threads (with fewer, the convolutions split each
// image between the threads and round differently). So a caller may pick
// the batch for speed: simclr/train's kNN monitor extracts in batches
// that stay in cache.
func TestExtractSameFeaturesAnyBatch(t *testing.T) {
	for _, threads := range []int{1, 2, 3} {
		be := cpu.New(cpu.Options{Threads: threads})
		m, err := layers.NewModel(be, layers.Config{Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 0.125, InChannels: 1}})
		if err != nil {
			t.Fatal(err)
		}
		ds := &synth{n: 150, c: 1, size: 20}
		want, _, err := Extract(m, ds, ExtractOptions{Size: 20, Batch: 150})
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range []int{3, 7, 64, 147} {
			got, _, err := Extract(m, ds, ExtractOptions{Size: 20, Batch: batch})
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("threads %d batch %d: feature %d = %g, with one batch of %d %g", threads, batch, i, got[i], ds.n, want[i])
					break
				}
			}
		}
		m.Release()
	}
}
