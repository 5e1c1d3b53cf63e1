package vulkan

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/conv"
	"simclr-vk/engine/vulkan/internal/float16"
	"simclr-vk/engine/vulkan/internal/ntxent"
)

// The engine.Backend methods of the op families that have their own
// package under internal/: one line each, delegating with the runtime.

// ToFloat16 packs src (n) into dst ((n+1)/2) as binary16 (engine.Backend).
func (d *Device) ToFloat16(dst, src *engine.Tensor) { float16.ToFloat16(d.rt, dst, src) }

// FromFloat16 unpacks src ((n+1)/2) into dst (n) (engine.Backend).
func (d *Device) FromFloat16(dst, src *engine.Tensor) { float16.FromFloat16(d.rt, dst, src) }

// RoundFloat16 rounds t in place to binary16 values (engine.Backend).
func (d *Device) RoundFloat16(t *engine.Tensor) { float16.RoundFloat16(d.rt, t) }

// AugmentViews records dst (len(views), C, size, size) = the SimCLR views
// of uint8 images (engine.ViewAugmenter; internal/augment).
func (d *Device) AugmentViews(dst *engine.Tensor, images []engine.AugmentImage, views []engine.AugmentView) {
	d.aug.Views(dst, images, views)
}

// AugmentLimit is the most source bytes one image of AugmentViews may
// hold (engine.ViewAugmenter): the size of one upload
// (Options.AugmentUpload); larger batches go up in several.
func (d *Device) AugmentLimit() int64 { return d.aug.Limit() }

// The eltwise family (internal/eltwise): elementwise, reductions, bias,
// pooling, L2 normalisation, cross-entropy, optimizer steps.

func (d *Device) BiasForward(y, bias *engine.Tensor, n, c, hw int) {
	d.elt.BiasForward(y, bias, n, c, hw)
}
func (d *Device) BiasBackward(db, dy *engine.Tensor, n, c, hw int) {
	d.elt.BiasBackward(db, dy, n, c, hw)
}
func (d *Device) SoftmaxCrossEntropy(dlogits, loss, logits, labels *engine.Tensor, n, classes int) {
	d.elt.SoftmaxCrossEntropy(dlogits, loss, logits, labels, n, classes)
}
func (d *Device) Copy(dst, src *engine.Tensor)                           { d.elt.Copy(dst, src) }
func (d *Device) Add(dst, a, b *engine.Tensor)                           { d.elt.Add(dst, a, b) }
func (d *Device) Sub(dst, a, b *engine.Tensor)                           { d.elt.Sub(dst, a, b) }
func (d *Device) Mul(dst, a, b *engine.Tensor)                           { d.elt.Mul(dst, a, b) }
func (d *Device) Scale(dst, src *engine.Tensor, alpha float32)           { d.elt.Scale(dst, src, alpha) }
func (d *Device) Axpy(y *engine.Tensor, alpha float32, x *engine.Tensor) { d.elt.Axpy(y, alpha, x) }
func (d *Device) ReLUForward(y, x *engine.Tensor)                        { d.elt.ReLUForward(y, x) }
func (d *Device) AddReLU(y, a, b *engine.Tensor)                         { d.elt.AddReLU(y, a, b) }
func (d *Device) ReLUBackward(dx, dy, y *engine.Tensor)                  { d.elt.ReLUBackward(dx, dy, y) }
func (d *Device) L2NormalizeForward(y, norm, x *engine.Tensor, rows, dim int) {
	d.elt.L2NormalizeForward(y, norm, x, rows, dim)
}
func (d *Device) L2NormalizeBackward(dx, dy, y, norm *engine.Tensor, rows, dim int) {
	d.elt.L2NormalizeBackward(dx, dy, y, norm, rows, dim)
}
func (d *Device) SGDStep(w, g, v *engine.Tensor, p engine.SGDParams) { d.elt.SGDStep(w, g, v, p) }
func (d *Device) AdamWStep(w, g, m, v *engine.Tensor, p engine.AdamWParams) {
	d.elt.AdamWStep(w, g, m, v, p)
}
func (d *Device) LARSStep(w, g, v *engine.Tensor, p engine.LARSParams) { d.elt.LARSStep(w, g, v, p) }
func (d *Device) MaxPool2DForward(y, argmax, x *engine.Tensor, p engine.Pool2DParams) {
	d.elt.MaxPool2DForward(y, argmax, x, p)
}
func (d *Device) MaxPool2DBackward(dx, dy, argmax *engine.Tensor, p engine.Pool2DParams) {
	d.elt.MaxPool2DBackward(dx, dy, argmax, p)
}
func (d *Device) GlobalAvgPoolForward(y, x *engine.Tensor, n, c, hw int) {
	d.elt.GlobalAvgPoolForward(y, x, n, c, hw)
}
func (d *Device) GlobalAvgPoolBackward(dx, dy *engine.Tensor, n, c, hw int) {
	d.elt.GlobalAvgPoolBackward(dx, dy, n, c, hw)
}
func (d *Device) SumRows(dst, src *engine.Tensor, rows, cols int) {
	d.elt.SumRows(dst, src, rows, cols)
}
func (d *Device) MeanRows(dst, src *engine.Tensor, rows, cols int) {
	d.elt.MeanRows(dst, src, rows, cols)
}
func (d *Device) SumCols(dst, src *engine.Tensor, rows, cols int) {
	d.elt.SumCols(dst, src, rows, cols)
}
func (d *Device) MeanCols(dst, src *engine.Tensor, rows, cols int) {
	d.elt.MeanCols(dst, src, rows, cols)
}
func (d *Device) SumSquares(dst, src *engine.Tensor) { d.elt.SumSquares(dst, src) }

// The GEMM family (internal/gemm; its plan and tuning in tuner.go).

// Gemm: C (m, n) = alpha * op(A) op(B) + beta * C.
func (d *Device) Gemm(transA, transB bool, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	d.gemm.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c)
}

// GemmBatched: batch independent Gemms over contiguous matrices.
func (d *Device) GemmBatched(transA, transB bool, batch, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	d.gemm.GemmBatched(transA, transB, batch, m, n, k, alpha, a, b, beta, c)
}

// The batchnorm family (internal/batchnorm).

func (d *Device) BatchNormForwardTrain(y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	d.bn.BatchNormForwardTrain(y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd, p)
}

func (d *Device) BatchNormForwardInfer(y, x, gamma, beta, runMean, runVar *engine.Tensor, p engine.BatchNormParams) {
	d.bn.BatchNormForwardInfer(y, x, gamma, beta, runMean, runVar, p)
}

func (d *Device) BatchNormBackward(dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	d.bn.BatchNormBackward(dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd, p)
}

func (d *Device) BatchNormStats(stats, x *engine.Tensor, groups int, p engine.BatchNormParams) {
	d.bn.BatchNormStats(stats, x, groups, p)
}

func (d *Device) BatchNormApply(y, x, gamma, beta, mean, invStd *engine.Tensor, groups int, p engine.BatchNormParams) {
	d.bn.BatchNormApply(y, x, gamma, beta, mean, invStd, groups, p)
}

func (d *Device) BatchNormBackwardSums(sums, dy, x, y, mean, invStd *engine.Tensor, groups int, p engine.BatchNormParams) {
	d.bn.BatchNormBackwardSums(sums, dy, x, y, mean, invStd, groups, p)
}

func (d *Device) BatchNormBackwardApply(dx, dy, x, y, gamma, mean, invStd, means *engine.Tensor, groups int, p engine.BatchNormParams) {
	d.bn.BatchNormBackwardApply(dx, dy, x, y, gamma, mean, invStd, means, groups, p)
}

func (d *Device) BatchNormFinish(mean, invStd, runMean, runVar, stats *engine.Tensor, p engine.BatchNormParams) {
	d.bn.BatchNormFinish(mean, invStd, runMean, runVar, stats, p)
}

func (d *Device) BatchNormInvStd(invStd, runVar *engine.Tensor, p engine.BatchNormParams) {
	d.bn.BatchNormInvStd(invStd, runVar, p)
}

func (d *Device) BatchNormBackwardFinish(dgamma, dbeta, means, sums *engine.Tensor, p engine.BatchNormParams) {
	d.bn.BatchNormBackwardFinish(dgamma, dbeta, means, sums, p)
}

// The NT-Xent family (internal/ntxent; its kernel choice in Plans, the
// forced kernels and the unfused baseline in Lab).

// NTXentKernels are the fused NT-Xent kernel families, best first where
// they apply (Options.NTXentKernel forces one).
var NTXentKernels = ntxent.Kernels

func (d *Device) NTXentForwardBackward(dz, res, z *engine.Tensor, tau float32) {
	d.nt.ForwardBackward(dz, res, z, tau)
}

// The convolution family (internal/conv; its tuning through the service
// of tuner.go, shared with the GEMM family; its choices in Plans).

// ConvChoice is the kernel one convolution problem uses on a device.
type ConvChoice = conv.Choice

// Conv2DForward: x (N,C,H,W) * w (K,C,R,S) -> y (N,K,P,Q).
func (d *Device) Conv2DForward(y, x, w *engine.Tensor, p engine.Conv2DParams) {
	d.conv.Conv2DForward(y, x, w, p)
}

// Conv2DBackwardData: dy (N,K,P,Q), w -> dx (N,C,H,W), overwritten.
func (d *Device) Conv2DBackwardData(dx, dy, w *engine.Tensor, p engine.Conv2DParams) {
	d.conv.Conv2DBackwardData(dx, dy, w, p)
}

// Conv2DBackwardFilter: dy, x -> dw (K,C,R,S), overwritten.
func (d *Device) Conv2DBackwardFilter(dw, dy, x *engine.Tensor, p engine.Conv2DParams) {
	d.conv.Conv2DBackwardFilter(dw, dy, x, p)
}
