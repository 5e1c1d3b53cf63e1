package layers

import (
	"strings"
	"sync"
	"testing"

	"simclr-vk/dist"
	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// TestAllreduceSumBuckets: tensors of several sizes packed into buckets of
// 6 floats (two share one, a 13-float tensor gets its own) come back as the
// sum over 3 ranks times the scale, on every rank.
func TestAllreduceSumBuckets(t *testing.T) {
	sizes := []int{5, 1, 13, 2}
	const world = 3
	comms := dist.Local(world)
	got := make([][][]float32, world)
	errs := make([]error, world)
	var wg sync.WaitGroup
	for r := range comms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := cpu.New(cpu.Options{Threads: 1})
			var ts []*engine.Tensor
			for i, n := range sizes {
				v := make([]float32, n)
				for j := range v {
					v[j] = float32(100*r + 10*i + j)
				}
				x := b.New(n)
				b.Upload(x, v)
				ts = append(ts, x)
			}
			errs[r] = allreduceSum(b, comms[r], ts, 6, 0.5)
			for _, x := range ts {
				h := make([]float32, x.Numel())
				b.Download(x, h)
				got[r] = append(got[r], h)
			}
		}()
	}
	wg.Wait()
	for r := range got {
		if errs[r] != nil {
			t.Fatalf("rank %d: %v", r, errs[r])
		}
		for i, n := range sizes {
			for j := 0; j < n; j++ {
				want := 0.5 * float32(300+3*(10*i+j)) // sum over r of 100r + 10i + j
				if got[r][i][j] != want {
					t.Fatalf("rank %d tensor %d [%d]: %v, want %v", r, i, j, got[r][i][j], want)
				}
			}
		}
	}
}

// TestStepMismatchedRanksFails: ranks that step on different batch sizes
// get an error on every rank (the all-gather of z disagrees), not a hang
// and not a silently wrong step.
func TestStepMismatchedRanksFails(t *testing.T) {
	comms := dist.Local(2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r := range comms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := cpu.New(cpu.Options{Threads: 1})
			m, err := NewModel(b, Config{Encoder: ResNetConfig{Arch: "resnet18", Stem: StemCIFAR, Width: 1.0 / 16, InChannels: 3}, Head: HeadConfig{Out: 8}, Seed: 1})
			if err != nil {
				errs[r] = err
				return
			}
			defer m.Release()
			if err := m.SetParallel(Parallel{Comm: comms[r], GlobalBN: true}); err != nil {
				errs[r] = err
				return
			}
			n := 2 + r
			x := b.New(2*n, 3, 8, 8)
			defer x.Release()
			b.Upload(x, make([]float32, 2*n*3*64))
			_, _, errs[r] = m.Step(x, 0.5)
		}()
	}
	wg.Wait()
	for r, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "Allgather") {
			t.Errorf("rank %d: %v, want an Allgather error", r, err)
		}
	}
}
