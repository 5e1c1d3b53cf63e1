package vulkan

import "simclr-vk/engine"

// Lab is the benchmark-only side of a Device, kept apart from the product
// (issue #20): kernels that exist only as baselines the product's kernels
// are measured against, and the product's kernels forced per call. Training never runs them, they are not part of
// engine.Backend, and Device has no method for them: Device.Lab is the
// one way in, so a lab kernel cannot be called by accident next to the
// product's ops. The `bench` commands find it through the narrow
// interface `interface{ Lab() vulkan.Lab }`. A new benchmark-only kernel
// becomes a method here, delegating to its family.
type Lab struct{ d *Device }

// Lab returns the benchmark-only kernels of d.
func (d *Device) Lab() Lab { return Lab{d} }

// NTXentUnfused is NTXentForwardBackward as the unfused composition (the
// baseline of `bench ntxent`, internal/ntxent's Unfused): S = z z^T / tau
// with Gemm (2N x 2N stored, O(N^2) memory), row passes for the
// log-sum-exp and the loss, the gradient weights written over S and dz = W
// z with Gemm. Same results as the fused op up to rounding.
func (l Lab) NTXentUnfused(dz, res, z *engine.Tensor, tau float32) { l.d.nt.Unfused(dz, res, z, tau) }

// NTXentForwardBackwardKernel is NTXentForwardBackward with the kernel
// family forced for this call, as Options.NTXentKernel does for a whole
// device (`bench ntxent` compares the families on one device; which family
// a forced kernel runs at a shape is Plans.NTXentKernel).
func (l Lab) NTXentForwardBackwardKernel(kernel string, dz, res, z *engine.Tensor, tau float32) {
	l.d.nt.ForwardBackwardKernel(kernel, dz, res, z, tau)
}
