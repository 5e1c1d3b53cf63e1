package layers_test

import (
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/layers/layerstest"
)

// TestTrainSmokeCPU: the NT-Xent loss falls clearly within a few dozen steps.
func TestTrainSmokeCPU(t *testing.T) { layerstest.TrainSmoke(t, cpu.New(cpu.Options{})) }
