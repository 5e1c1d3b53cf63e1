package eltwise

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Softmax cross-entropy: one row per invocation writes its loss (and
// dlogits row), then MeanRows (sum_rows) averages the row losses in a
// fixed order.
// Labels live on the device, so an invalid label cannot panic as on the
// CPU backend: its row loss, hence the loss, and its dlogits row are NaN.
// CPU reference: cpu.SoftmaxCrossEntropy.

// pushCrossEntropy mirrors `{ uint n, classes; }` of softmax_cross_entropy.comp.
type pushCrossEntropy struct {
	N, Classes uint32
}

// SoftmaxCrossEntropy: loss (1) = mean_i -log softmax(logits[i])[label_i];
// dlogits = (softmax - onehot) / n, or nil.
func (d *Ops) SoftmaxCrossEntropy(dlogits, loss, logits, labels *engine.Tensor, n, classes int) {
	const op = "SoftmaxCrossEntropy"
	engine.CheckBackend(op, d.Owner, dlogits, loss, logits, labels)
	d.checkRowsDim(op, n, classes, 4)
	engine.CheckNumel(op, "logits", logits, n*classes)
	engine.CheckNumel(op, "labels", labels, n)
	engine.CheckNumel(op, "loss", loss, 1)
	grad := vkrt.In(logits) // unused binding without dlogits
	if dlogits != nil {
		engine.CheckNumel(op, "dlogits", dlogits, n*classes)
		grad = vkrt.Out(dlogits)
	}
	rowLoss := d.RT.New(n)
	d.RT.Dispatch(vkrt.Kernel{Shader: "softmax_cross_entropy", Spec: []uint32{b2u(dlogits != nil)},
		Push: &pushCrossEntropy{uint32(n), uint32(classes)}, Groups: d.RT.Grid1D(n, 64),
		Args: []vkrt.Arg{vkrt.Out(rowLoss), grad, vkrt.In(logits), vkrt.In(labels)}})
	d.MeanRows(loss, rowLoss, 1, n)
	rowLoss.Release()
}
