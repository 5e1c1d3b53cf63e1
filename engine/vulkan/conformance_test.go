package vulkan_test

import (
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/vulkan"
)

// TestConformance runs the shared suite on the default device (lavapipe in
// CI) with validation on, failing on any validation message.
func TestConformance(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	conformance.Run(t, d)
	checkValidation(t, d)
}

// TestConformanceGemmKernels runs the Gemm family with each selectable GEMM
// kernel forced (the GPU tiles and split-K included) on whatever device runs
// the tests, lavapipe included; kernels the device cannot run are skipped.
func TestConformanceGemmKernels(t *testing.T) {
	for _, v := range vulkan.GemmKernels() {
		t.Run(v, func(t *testing.T) {
			d := openDevice(t, vulkan.Options{GemmVariant: v})
			conformance.RunFamilies(t, d, "Gemm")
			checkValidation(t, d)
		})
	}
}

// TestConformanceStaging runs the suite with tensors in unmapped memory and
// transfers through the staging buffer (the path of discrete GPUs without
// host-visible device memory).
func TestConformanceStaging(t *testing.T) {
	d := openDevice(t, vulkan.Options{ForceStaging: true})
	conformance.RunFamilies(t, d, "Elementwise", "Float16Store", "Gemm", "Reduce")
	checkValidation(t, d)
}

// TestConformanceSmallFrames runs part of the suite with every dispatch in
// a command buffer of its own (GPUs submit every 128 so the GPU starts
// while the host records; lavapipe every 1000): barriers between dependent
// dispatches must then act across command buffers, and descriptor pools,
// fences and frames be recycled many times over, with results and
// validation unchanged.
func TestConformanceSmallFrames(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	d.SetSubmitEvery(1)
	conformance.RunFamilies(t, d, "Conv", "Elementwise", "Gemm", "NTXent", "Optim", "BatchNorm")
	if _, dispatches, submits := d.Counters(); submits < dispatches {
		t.Errorf("%d submits for %d dispatches, want one each", submits, dispatches)
	}
	checkValidation(t, d)
}

// TestSoftmaxCrossEntropyInvalidLabel: the device cannot panic on a label
// that is not a class index (the CPU backend does); the loss and that
// row's dlogits are NaN, the other rows are unaffected.
func TestSoftmaxCrossEntropyInvalidLabel(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	for _, bad := range []float32{3, -1, 1.5} {
		logits := conformance.Upload(d, []float32{1, 2, 3, 3, 2, 1}, 2, 3)
		labels := conformance.Upload(d, []float32{0, bad}, 2)
		loss, dl := d.New(1), d.New(2, 3)
		d.SoftmaxCrossEntropy(dl, loss, logits, labels, 2, 3)
		l := conformance.Download(t, d, loss)
		g := conformance.Download(t, d, dl)
		if l[0] == l[0] {
			t.Errorf("label %v: loss %v, want NaN", bad, l[0])
		}
		for c := 0; c < 3; c++ {
			if g[c] != g[c] || g[3+c] == g[3+c] {
				t.Errorf("label %v: dlogits %v, want row 0 finite and row 1 NaN", bad, g)
				break
			}
		}
		for _, x := range []*engine.Tensor{logits, labels, loss, dl} {
			x.Release()
		}
	}
}
