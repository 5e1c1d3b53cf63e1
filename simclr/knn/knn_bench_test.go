package knn

import (
	"fmt"
	"math/rand"
	"testing"
)

// BenchmarkEvaluate runs the monitor on the CPU backend for a few bank /
// test / dim shapes and reports test images/s and the Gemm's GFLOP/s
// (2 * test * bank * dim per evaluation; the host top-k is included in the
// time).
func BenchmarkEvaluate(b *testing.B) {
	for _, s := range []struct{ bank, test, dim, classes int }{
		{5000, 500, 128, 10},
		{10000, 1000, 512, 10},
	} {
		b.Run(fmt.Sprintf("bank%d_test%d_dim%d", s.bank, s.test, s.dim), func(b *testing.B) {
			rng := rand.New(rand.NewSource(1))
			cs := centers(rng, s.classes, s.dim)
			bank, bl := clusters(rng, s.bank, s.dim, s.classes, 1, cs)
			test, tl := clusters(rng, s.test, s.dim, s.classes, 1, cs)
			be := newCPU()
			defer be.Close()
			m, err := New(be, bank, bl, s.bank, s.dim, s.classes, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Evaluate(test, tl, s.test); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(s.test*b.N)/sec, "images/s")
			b.ReportMetric(2*float64(s.test)*float64(s.bank)*float64(s.dim)*float64(b.N)/sec/1e9, "GFLOP/s")
		})
	}
}
