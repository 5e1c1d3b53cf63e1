package engine

// MemStats are a backend's memory statistics, in bytes.
type MemStats struct {
	InUse    int64 // bytes held by live tensors (after alignment)
	Peak     int64 // high-water mark of InUse since creation or the last ResetPeak
	Reserved int64 // bytes obtained from the driver / the Go heap in blocks
	Tensors  int64 // number of live tensors
}

// Backend is what every compute backend implements. See the package doc for
// the conventions (async ops, sticky errors, panics on shape misuse).
//
// Shapes in the comments: (a, b) is a row-major a x b array; "n" is numel.
type Backend interface {
	// Name is "cpu" or "vulkan"; Describe is one line naming the device.
	Name() string
	Describe() string

	// --- memory -----------------------------------------------------------

	// New allocates a zero-filled tensor. It never panics on out-of-memory:
	// the tensor is then unusable and the error (naming the shape and the
	// memory in use) is returned by the next Err / Flush / Download.
	New(shape ...int) *Tensor
	// Upload copies len(src) == t.Numel() values into t.
	Upload(t *Tensor, src []float32)
	// Download waits for queued work and copies t into dst (len == Numel).
	Download(t *Tensor, dst []float32) error
	// Release returns t's storage; use Tensor.Release.
	Release(t *Tensor)
	// Flush submits queued work, waits for it and returns the sticky error.
	Flush() error
	// Err returns the sticky error without waiting.
	Err() error
	MemStats() MemStats
	ResetPeak()
	Close() error

	// --- elementwise: every tensor has the same numel n ---------------------

	Fill(dst *Tensor, v float32)              // dst[i] = v
	Copy(dst, src *Tensor)                    // dst[i] = src[i]
	Add(dst, a, b *Tensor)                    // dst[i] = a[i] + b[i] (dst may alias a or b)
	Sub(dst, a, b *Tensor)                    // dst[i] = a[i] - b[i]
	Mul(dst, a, b *Tensor)                    // dst[i] = a[i] * b[i]
	Scale(dst, src *Tensor, alpha float32)    // dst[i] = alpha * src[i]
	Axpy(y *Tensor, alpha float32, x *Tensor) // y[i] += alpha * x[i]
	ReLUForward(y, x *Tensor)                 // y = max(x, 0)
	ReLUBackward(dx, dy, y *Tensor)           // dx = dy if y > 0 else 0
	AddReLU(y, a, b *Tensor)                  // y = max(a + b, 0), one pass (y may alias a or b; shapes equal)

	// --- reductions over src viewed as (rows, cols), rows*cols == n ---------

	SumRows(dst, src *Tensor, rows, cols int)  // dst (rows): dst[r] = sum_c src[r,c]
	SumCols(dst, src *Tensor, rows, cols int)  // dst (cols): dst[c] = sum_r src[r,c]
	MeanRows(dst, src *Tensor, rows, cols int) // dst (rows): SumRows / cols
	MeanCols(dst, src *Tensor, rows, cols int) // dst (cols): SumCols / rows
	SumSquares(dst, src *Tensor)               // dst (1): sum_i src[i]^2

	// --- matrix products ----------------------------------------------------

	// Gemm: C (m, n) = alpha * op(A) * op(B) + beta * C, with op(A) (m, k)
	// and op(B) (k, n). A is stored (m, k), or (k, m) when transA; B is
	// stored (k, n), or (n, k) when transB. beta == 0 ignores C's contents.
	Gemm(transA, transB bool, m, n, k int, alpha float32, a, b *Tensor, beta float32, c *Tensor)
	// GemmBatched: batch independent Gemms over contiguous matrices
	// A (batch, m*k), B (batch, k*n), C (batch, m*n).
	GemmBatched(transA, transB bool, batch, m, n, k int, alpha float32, a, b *Tensor, beta float32, c *Tensor)

	// --- convolution (NCHW, no bias; see Conv2DParams) ----------------------

	Conv2DForward(y, x, w *Tensor, p Conv2DParams)          // x (N,C,H,W), w (K,C,R,S) -> y (N,K,P,Q)
	Conv2DBackwardData(dx, dy, w *Tensor, p Conv2DParams)   // dy (N,K,P,Q), w -> dx (N,C,H,W)
	Conv2DBackwardFilter(dw, dy, x *Tensor, p Conv2DParams) // dy, x -> dw (K,C,R,S)
	BiasForward(y, bias *Tensor, n, c, hw int)              // y (n,c,hw) += bias (c), in place
	BiasBackward(db, dy *Tensor, n, c, hw int)              // db (c) = sum over n, hw of dy

	// --- batch normalisation over (N, C, HW) per channel (HW = 1 for 1d) ----

	// BatchNormForwardTrain normalises with the batch mean and biased
	// variance, saves mean (C) and 1/sqrt(var+eps) (C) for backward, and
	// updates runMean/runVar (unbiased variance) with p.Momentum. gamma or
	// beta may be nil (scale 1 / shift 0). With p.ReLU, y = max(bn(x), 0).
	BatchNormForwardTrain(y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd *Tensor, p BatchNormParams)
	// BatchNormForwardInfer normalises with the running statistics.
	BatchNormForwardInfer(y, x, gamma, beta, runMean, runVar *Tensor, p BatchNormParams)
	// BatchNormBackward gives dx, dgamma (C) and dbeta (C) of the training
	// forward; dgamma / dbeta nil when gamma / beta were nil. y is the
	// forward output, used only for the ReLU mask when p.ReLU.
	BatchNormBackward(dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd *Tensor, p BatchNormParams)

	// --- batch normalisation in parts, for statistics merged across devices --
	//
	// Training-mode batch norm cut where an all-reduce can sit between the
	// parts: forward = BatchNormStats, (merge the statistics), BatchNormApply;
	// backward = BatchNormBackwardSums, (sum them), BatchNormBackwardApply.
	// x (N, C, HW) is cut into groups consecutive groups of N/groups rows
	// (groups >= 1 divides N), each with its own statistics: per-group
	// arrays are (groups, C[, 2]), group-major. Composed on one device with
	// groups 1 and no merge they are BatchNormForwardTrain (without the
	// running statistics, which the caller updates) and BatchNormBackward.

	// BatchNormStats: stats (groups, C, 2) = [mean, M2] of each group and
	// channel over its N/groups*HW values, M2 = sum (x - mean)^2 (the
	// biased variance times the count). x (N, C, HW).
	BatchNormStats(stats, x *Tensor, groups int, p BatchNormParams)
	// BatchNormApply: y (N, C, HW) = [relu](gamma*(x - mean)*invStd + beta)
	// with mean (groups, C) and invStd (groups, C) of the row's group;
	// gamma (C) / beta (C) may be nil (scale 1 / shift 0).
	BatchNormApply(y, x, gamma, beta, mean, invStd *Tensor, groups int, p BatchNormParams)
	// BatchNormBackwardSums: sums (groups, C, 2) = [sum g, sum g*xhat] of
	// each group and channel, g = dy (N, C, HW) masked by y > 0 when p.ReLU
	// (y (N, C, HW) read only then; may be nil otherwise),
	// xhat = (x - mean)*invStd with mean, invStd (groups, C).
	BatchNormBackwardSums(sums, dy, x, y, mean, invStd *Tensor, groups int, p BatchNormParams)
	// BatchNormBackwardApply: dx (N, C, HW) =
	// gamma*invStd*(g - means[0] - xhat*means[1]) with means (groups, C, 2)
	// = [mean of g, mean of g*xhat] over the statistics' batch (the merged
	// sums of BatchNormBackwardSums over the merged count); g, xhat, mean,
	// invStd as there; gamma (C) or nil.
	BatchNormBackwardApply(dx, dy, x, y, gamma, mean, invStd, means *Tensor, groups int, p BatchNormParams)
	// BatchNormFinish finishes one group's BatchNormStats on the device
	// (the parts composed without a merge, as mixed precision runs them):
	// from stats (C, 2) = [mean, M2] over m = p.N*p.HW values per channel,
	// mean (C) = the stats' mean, invStd (C) = 1/sqrt(M2/m + p.Eps), and
	// runMean, runVar (C; both nil: left alone) move towards the mean and
	// the unbiased variance M2/(m-1): run = (1-p.Momentum)*run +
	// p.Momentum*batch (m must then exceed 1, as in BatchNormForwardTrain).
	// All float32.
	BatchNormFinish(mean, invStd, runMean, runVar, stats *Tensor, p BatchNormParams)
	// BatchNormInvStd: invStd (C) = 1/sqrt(runVar (C) + p.Eps), eval-mode
	// batch norm's scale from the running variance, on the device (mixed
	// precision's eval forward; BatchNormForwardInfer computes it inside).
	// All float32; p's N and HW are not used.
	BatchNormInvStd(invStd, runVar *Tensor, p BatchNormParams)
	// BatchNormBackwardFinish finishes one group's BatchNormBackwardSums:
	// from sums (C, 2) = [sum g, sum g*xhat] over m = p.N*p.HW values per
	// channel, dbeta (C) = sum g and dgamma (C) = sum g*xhat (nil: not
	// written), and means (C, 2) = sums/m, BatchNormBackwardApply's means.
	// All float32.
	BatchNormBackwardFinish(dgamma, dbeta, means, sums *Tensor, p BatchNormParams)

	// --- pooling --------------------------------------------------------------

	// MaxPool2DForward: padding counts as -inf; argmax (N,C,P,Q) holds the
	// index h*W+w of the chosen input in its plane (first maximum in
	// row-major window order).
	MaxPool2DForward(y, argmax, x *Tensor, p Pool2DParams)
	MaxPool2DBackward(dx, dy, argmax *Tensor, p Pool2DParams) // dx overwritten
	GlobalAvgPoolForward(y, x *Tensor, n, c, hw int)          // x (n,c,hw) -> y (n,c)
	GlobalAvgPoolBackward(dx, dy *Tensor, n, c, hw int)       // dy (n,c) -> dx (n,c,hw)

	// --- losses -----------------------------------------------------------------

	// L2NormalizeForward: y[r] = x[r] / norm[r], norm[r] = max(||x[r]||, 1e-12);
	// x, y (rows, dim), norm (rows).
	L2NormalizeForward(y, norm, x *Tensor, rows, dim int)
	// L2NormalizeBackward: dx[r] = (dy[r] - y[r] * <y[r], dy[r]>) / norm[r].
	L2NormalizeBackward(dx, dy, y, norm *Tensor, rows, dim int)
	// NTXentForwardBackward: z (2N, d) with unit rows; rows i and i+N are
	// the two views of image i (positive pair). out (2) = [loss, top1]:
	// loss = 1/(2N) sum_i -log(exp(s_i,pos(i)) / sum_{k != i} exp(s_ik)),
	// s = z z^T / tau; top1 = fraction of rows i with s_i,pos(i) >= s_ik for
	// every k != i. dz (2N, d) = dloss/dz, or nil for forward only.
	NTXentForwardBackward(dz, out, z *Tensor, tau float32)
	// SoftmaxCrossEntropy: logits (n, classes), labels (n) class indices;
	// loss (1) = mean_i -log softmax(logits[i])[label_i];
	// dlogits (n, classes) = (softmax - onehot) / n, or nil.
	SoftmaxCrossEntropy(dlogits, loss, logits, labels *Tensor, n, classes int)

	// --- float16 storage: src (n) <-> dst (ceil(n/2)) packed binary16; rounding ---

	// ToFloat16 packs src (n) into dst ((n+1)/2) as IEEE binary16, rounded
	// as RoundFloat16 (Float16Bits): word i holds element 2i in its low 16
	// bits and 2i+1 in its high 16 bits (0 past the end); dst's values are
	// those bit patterns, not numbers. dst must not overlap src.
	ToFloat16(dst, src *Tensor)
	// FromFloat16 unpacks src ((n+1)/2 words written by ToFloat16) into dst
	// (n) exactly (Float16Value). dst must not overlap src.
	FromFloat16(dst, src *Tensor)
	// RoundFloat16 rounds every value of t (float32) in place to the
	// nearest binary16 value, ties to even, as Float16Round does (the
	// result of ToFloat16 then FromFloat16, in one pass and without the
	// packed temporary): subnormals kept, 65520 and up to ±Inf, NaN to the
	// quiet NaN with its sign.
	RoundFloat16(t *Tensor)

	// --- optimizers: update w (and state) in place; g is not modified --------

	SGDStep(w, g, v *Tensor, p SGDParams)
	LARSStep(w, g, v *Tensor, p LARSParams)
	AdamWStep(w, g, m, v *Tensor, p AdamWParams)
}
