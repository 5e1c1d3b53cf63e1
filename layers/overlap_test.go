package layers_test

import (
	"fmt"
	"testing"

	"simclr-vk/layers"
	"simclr-vk/layers/layerstest"
)

// overlapCases are the overlap-on against overlap-off comparisons: worlds
// of 2 and 3, global and per-device BN, whole batches and gradient
// caching's chunks, buckets of 1000 floats (many buckets, most started
// during the backward pass).
func overlapCases() []layerstest.OverlapCase {
	dp := func(world, images int, globalBN bool, micro int) layerstest.OverlapCase {
		return layerstest.OverlapCase{DataParallelCase: layerstest.DataParallelCase{
			World: world, Images: images, HW: 8, GlobalBN: globalBN, Steps: 3, BucketFloats: 1000, MicroBatch: micro}}
	}
	return []layerstest.OverlapCase{
		dp(2, 8, true, 0), dp(2, 8, false, 0), dp(3, 9, true, 0), dp(3, 9, false, 0),
		dp(2, 8, true, 2), dp(2, 8, false, 2), dp(3, 12, true, 2),
	}
}

func overlapName(c layerstest.OverlapCase) string {
	return fmt.Sprintf("%s_micro%d", caseName(c.DataParallelCase), c.MicroBatch)
}

// TestOverlapMatchesNoOverlap: after 3 LARS steps, the runs whose gradient
// all-reduce overlaps the backward pass have the same bits as those whose
// all-reduce follows it (CPU backend; layers/vulkancheck runs the same on
// Vulkan).
func TestOverlapMatchesNoOverlap(t *testing.T) {
	for _, c := range overlapCases() {
		t.Run(overlapName(c), func(t *testing.T) {
			for _, msg := range layerstest.Overlap(t, newCPU, c) {
				t.Error(msg)
			}
		})
	}
}

// TestOverlapCatchesEarlyBuckets: the comparison fails where a bucket
// starts before its gradients are final: at the first gradient written
// into a convolution used twice (SharedConvNet), and in the first chunk
// of a chunked step.
func TestOverlapCatchesEarlyBuckets(t *testing.T) {
	shared := func(m *layers.Model) { layers.SetNet(m, layerstest.SharedConvNet(m.Backend())) }
	for _, tc := range []struct {
		name string
		bug  layers.OverlapBug
		c    layerstest.OverlapCase
	}{
		{"firstWrite", layers.OverlapFirstWrite, layerstest.OverlapCase{Setup: shared, DataParallelCase: layerstest.DataParallelCase{
			World: 2, Images: 4, HW: 8, GlobalBN: true, Steps: 1, BucketFloats: 1}}},
		{"everyChunk", layers.OverlapEveryChunk, layerstest.OverlapCase{DataParallelCase: layerstest.DataParallelCase{
			World: 2, Images: 8, HW: 8, GlobalBN: true, Steps: 1, BucketFloats: 1000, MicroBatch: 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Without the bug the same comparison passes.
			if msgs := layerstest.Overlap(t, newCPU, tc.c); len(msgs) > 0 {
				t.Fatalf("without the bug: %s", msgs[0])
			}
			tc.c.Mutate = func(m *layers.Model) { layers.SetOverlapBug(m, tc.bug) }
			msgs := layerstest.Overlap(t, newCPU, tc.c)
			grads := gradientMsgs(msgs)
			if grads == 0 {
				t.Fatalf("the planted bug passed the gradient comparison (%d other differences)", len(msgs))
			}
			t.Logf("%d gradient differences, e.g. %s", grads, msgs[0])
		})
	}
}
