// treereduce.glsl: the fixed-order shared-memory tree of the workgroup
// reductions (deterministic: no atomics). Invocation t stores its value v
// in element t of the shared array(s) and the workgroup meets at a
// barrier; then for s = half, half/2, ..., 1 the invocations t < s fold
// element t + s into element t, and the whole workgroup meets at a barrier
// after each level, so that element 0 holds the result; half is the power
// of two half the tree's width (the workgroup size / 2 where each
// invocation holds one element).
//   TREE_SUM(a, v, t, half)          a[t] = v, then a[t] += a[t + s]
//   TREE_SUM2(a, va, b, vb, t, half) the same for two arrays at once
//   TREE_MAX(a, v, t, half)          a[t] = v, then
//                                    a[t] = max(a[t], a[t + s])
// Every invocation of the workgroup must reach the macro (barriers).

#define TREE_SUM(a, v, t, half) \
    a[t] = v; \
    barrier(); \
    for (uint s_ = half; s_ > 0u; s_ >>= 1) { \
        if (t < s_) { \
            a[t] += a[t + s_]; \
        } \
        barrier(); \
    }

#define TREE_SUM2(a, va, b, vb, t, half) \
    a[t] = va; \
    b[t] = vb; \
    barrier(); \
    for (uint s_ = half; s_ > 0u; s_ >>= 1) { \
        if (t < s_) { \
            a[t] += a[t + s_]; \
            b[t] += b[t + s_]; \
        } \
        barrier(); \
    }

#define TREE_MAX(a, v, t, half) \
    a[t] = v; \
    barrier(); \
    for (uint s_ = half; s_ > 0u; s_ >>= 1) { \
        if (t < s_) { \
            a[t] = max(a[t], a[t + s_]); \
        } \
        barrier(); \
    }
