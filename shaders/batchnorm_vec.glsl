// batchnorm_vec.glsl: the element type of the split batch-norm partial
// passes (batchnorm_forward_train_partial.comp and
// batchnorm_backward_partial.comp), by their VEC define (1 or 4, from their
// variant lines): VT, float or vec4 (VEC values of one channel's row at a
// time); POS(v), v > 0 per component; hsum(v), the sum of v's components in
// a fixed order. (The apply passes, which need no hsum, keep their own
// VT and POS lines.)

#if VEC == 4
#define VT vec4
#define POS(v) greaterThan(v, vec4(0.0))
float hsum(vec4 v) { return (v.x + v.y) + (v.z + v.w); }
#else
#define VT float
#define POS(v) (v > 0.0)
float hsum(float v) { return v; }
#endif
