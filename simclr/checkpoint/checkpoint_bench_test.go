package checkpoint

import (
	"math/rand"
	"path/filepath"
	"testing"
)

// BenchmarkWriteRead_resnet18 writes and reads a checkpoint the size of a
// ResNet-18 with SGD/LARS momentum (11.2M params + 11.2M state, 89 MB of
// float32) and reports MB/s of tensor data for the round trip.
func BenchmarkWriteRead_resnet18(b *testing.B) {
	const n = 11_200_000
	rng := rand.New(rand.NewSource(1))
	w, v := make([]float32, n), make([]float32, n)
	for i := range w {
		w[i] = float32(rng.NormFloat64() * 0.05)
		v[i] = float32(rng.NormFloat64() * 1e-3)
	}
	c := &Checkpoint{Tensors: []Tensor{
		{Name: "w", Kind: KindParam, Shape: []int{n}, Data: w},
		{Name: "w.momentum", Kind: KindOptim, Shape: []int{n}, Data: v},
	}}
	p := filepath.Join(b.TempDir(), "c.ckpt")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Write(p, c); err != nil {
			b.Fatal(err)
		}
		if _, err := Read(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(8*n*b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}
