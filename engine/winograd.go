package engine

// Winograd F(m x m, 3x3) convolution geometry, shared by the CPU reference
// (engine/cpu/winograd.go: the transforms and the compositions) and the
// Vulkan backend's winograd kernels (engine/vulkan/internal/conv/winograd.go,
// shaders/winograd_*.comp), so that neither backend imports the other.
// Every m x m block of outputs of an eligible convolution comes from an
// (m + 2) x (m + 2) input patch; TP x TQ such tiles cover one image.

// WinogradTileSizes are the output tile sizes m of the F(m x m, 3x3)
// transforms both backends implement.
var WinogradTileSizes = []int{2, 4}

// WinogradEligible reports whether the Winograd kernels compute p: a 3x3
// filter at stride 1 with padding at most 2 (so that the backward-data
// pass, a convolution of dy padded by 2 - pad, is one too).
func WinogradEligible(p Conv2DParams) bool {
	return p.R == 3 && p.S == 3 && p.StrideH == 1 && p.StrideW == 1 && p.PadH <= 2 && p.PadW <= 2
}

// WinogradTiles returns the m x m output tiles per image along each axis.
func WinogradTiles(p Conv2DParams, m int) (tp, tq int) {
	return (p.OutH() + m - 1) / m, (p.OutW() + m - 1) / m
}

// WinogradDataParams is the forward convolution that computes the
// backward-data pass of p: dy (N, K, P, Q) padded by 2 - pad, convolved
// with the filter transposed (C, K) and rotated by 180 degrees, gives dx
// (N, C, H, W).
func WinogradDataParams(p Conv2DParams) Conv2DParams {
	return Conv2DParams{N: p.N, C: p.K, H: p.OutH(), W: p.OutW(), K: p.C, R: 3, S: 3,
		StrideH: 1, StrideW: 1, PadH: 2 - p.PadH, PadW: 2 - p.PadW}
}
