package train

import "testing"

// TestMonitorBatch: on a CPU device the kNN monitor extracts in batches of
// at most cpuMonitorBatch images (never more than the step's 2N views), on
// a GPU in the step's 2N.
func TestMonitorBatch(t *testing.T) {
	for _, c := range []struct {
		n    int
		gpu  bool
		want int
	}{{128, false, cpuMonitorBatch}, {16, false, 32}, {128, true, 256}, {2, true, 4}} {
		if got := monitorBatch(c.n, c.gpu); got != c.want {
			t.Errorf("monitorBatch(%d, gpu %v) = %d, want %d", c.n, c.gpu, got, c.want)
		}
	}
}
