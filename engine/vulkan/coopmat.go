package vulkan

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Cooperative matrices: the device side (queries, features, the variant)
// is vkrt's (internal/vkrt/coopmat.go), the self-check and the input
// maxima the GEMM family's (internal/gemm/coopmat.go); these are the
// facade's errors and engine.MatmulRounder (the variant in use is
// Plans.CoopMat).

// ErrCoopMatUnsupported is returned by Open for CoopMat "on" on a device
// without usable cooperative matrices.
var ErrCoopMatUnsupported = vkrt.ErrCoopMatUnsupported

// ErrDenied is engine.ErrFeatureDenied, under the name the docs give it
// (docs/mixed-precision.md): wrapped by Open's error for CoopMat "on", and
// by Float16Storage's, on a device and driver the deny list
// (vkrt.DenyRules) refuses the feature on; Options.AllowDenied overrides
// it.
var ErrDenied = engine.ErrFeatureDenied

// ErrCoopMatSelfCheck is returned by Open for CoopMat "on" when the device
// reports usable cooperative matrices but the kernels fail their check
// (internal/gemm: Ops.SelfCheck): a driver or kernel bug, not a missing
// feature, so tests fail on it instead of skipping.
var ErrCoopMatSelfCheck = vkrt.ErrCoopMatSelfCheck

// MatmulInputRounding implements engine.MatmulRounder: float16 rounding
// when the matrix products run on cooperative matrices, else nil.
func (d *Device) MatmulInputRounding() func(float32) float32 {
	if d.gemm.CoopMat() == "" {
		return nil
	}
	return engine.RoundFloat16
}

// The conformance suite finds the rounding through this interface.
var _ engine.MatmulRounder = (*Device)(nil)
