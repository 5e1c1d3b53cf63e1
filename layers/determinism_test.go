package layers_test

import (
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
)

// TestStepDeterministic: two steps from the same weights and input give the
// same loss and gradients bit for bit (no stale pooled memory is read).
func TestStepDeterministic(t *testing.T) {
	for _, threads := range []int{1, 2} {
		b := cpu.New(cpu.Options{Threads: threads})
		m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
		x := upload(b, randomViews(11, 3, 3, 8, 8, 0.3), 6, 3, 8, 8)
		var first [][]float32
		for rep := 0; rep < 3; rep++ {
			loss, _, err := m.Step(x, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("threads %d rep %d loss %v", threads, rep, loss)
			for i, p := range m.Params() {
				g := download(t, b, p.Grad)
				if rep == 0 {
					first = append(first, g)
					continue
				}
				for j := range g {
					if g[j] != first[i][j] {
						t.Errorf("threads %d: step %d: %s[%d] = %v, step 0 gave %v", threads, rep, p.Name, j, g[j], first[i][j])
						break
					}
				}
			}
		}
		m.Release()
	}
}
