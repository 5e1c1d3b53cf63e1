// augment_view.glsl: the per-view parameter table of the augment_* kernels
// (engine/vulkan/internal/augment writes it, VIEW_WORDS uints per view),
// read from a buffer `uint vt[]`, and the helpers they share. Word i of
// view v is vt[v * VIEW_WORDS + i]; floats are stored as their bits.
//   0 byte offset of the view's source image in the pixel buffer
//   1 source height, 2 source width
//   3 flags (VF_*)
//   4..7 crop x, y, w, h
//   8 jitter order: op k in bits 2k..2k+1 (0 brightness, 1 contrast,
//     2 saturation, 3 hue)
//   9..12 brightness, contrast, saturation factors; hue shift reduced to
//     [0, 1)
//   13 offset of the blur's taps in the taps buffer (k floats, the host's
//     engine.AugmentGaussian), 14 blur kernel size k (odd)
//   15 noise std, 16 and 17 noise seed (low, high 32 bits)
//   18..20 mean, 21..23 1/std per channel

#define VIEW_WORDS 24u
#define VF_FLIP 1u
#define VF_JITTER 2u
#define VF_GRAY 4u
#define VF_BLUR 8u
#define VF_SOLARIZE 16u
#define VF_NOISE 32u
#define VF_NORMALIZE 64u
#define VF_HUE 128u

#define VW(v, i) vt[(v) * VIEW_WORDS + (i)]
#define VF(v, i) uintBitsToFloat(vt[(v) * VIEW_WORDS + (i)])

float clip01(float x) { return min(max(x, 0.0), 1.0); }

// reflectIndex mirrors i into [0, n) without repeating the edge (the CPU's
// reflect in simclr/augment/blur.go).
int reflectIndex(int i, int n) {
    if (n == 1) {
        return 0;
    }
    while (i < 0 || i >= n) {
        if (i < 0) {
            i = -i;
        }
        if (i >= n) {
            i = 2 * (n - 1) - i;
        }
    }
    return i;
}
