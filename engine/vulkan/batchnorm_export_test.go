package vulkan

// SetBatchNormSplit forces the split batch-norm kernels with at most parts
// chunks per channel on any device (0: choose by device type and size, < 0:
// the fused kernels).
func SetBatchNormSplit(parts int) { bnSplitForce = parts }
