#version 450
// batchnorm_forward_train_partial.comp: first level of the split training
// statistics of batch norm over x (N, C, HW). The N*HW values of channel ch
// are cut into parts chunks of pc.chunk consecutive values (flat index
// e = image*HW + pixel); workgroup (j, ch) writes for chunk j
//   partial[2*(ch*parts + j)]     = sum of its values,
//   partial[2*(ch*parts + j) + 1] = sum of (value - chunk mean)^2
// (two passes over the chunk, each summed per invocation in order then by a
// fixed-order shared-memory tree: deterministic, no atomics).
// batchnorm_forward_train_finalize.comp merges the chunks (Chan et al.).
//
// variant: scalar -DVEC=1
// variant: vec4 -DVEC=4
// VEC = 4 (HW % 4 == 0, chunk % 4 == 0): x is read as vec4s.
//
// Bindings (storage buffers, set 0):
//   0: partial (2*C*parts floats, written)
//   1: x       (N*C*HW floats, read)
// Specialization constants: 0 LOCAL (workgroup size, a power of two).
// Layout: local_size_x = LOCAL; vector e of the chunk (VEC values) is
// visited by invocation e % LOCAL.
// Dispatch grid: (parts, C, 1): x the chunk, y the channel.
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk}
// (Go: pushBatchNormSplit in engine/vulkan/batchnorm.go; chunk in values, a
// multiple of VEC; eps and momentum unused).
// CPU reference: cpu.BatchNormForwardTrain (with the finalize and apply
// kernels).

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 256;

#if VEC == 4
#define VT vec4
float hsum(vec4 v) { return (v.x + v.y) + (v.z + v.w); }
#else
#define VT float
float hsum(float v) { return v; }
#endif

layout(std430, binding = 0) writeonly buffer B0 { float partial[]; };
layout(std430, binding = 1) readonly buffer B1 { VT x[]; };

layout(push_constant) uniform Push {
    uint n;
    uint c;
    uint hw;
    float eps;
    float momentum;
    uint parts;
    uint chunk;
} pc;

shared float red[LOCAL];

// reduce returns the sum of v over the workgroup (fixed-order tree).
float reduce(float v) {
    uint t = gl_LocalInvocationID.x;
    red[t] = v;
    barrier();
    for (uint s = LOCAL / 2u; s > 0u; s >>= 1) {
        if (t < s) {
            red[t] += red[t + s];
        }
        barrier();
    }
    float r = red[0];
    barrier();
    return r;
}

void main() {
    uint j = gl_WorkGroupID.x;
    uint ch = gl_WorkGroupID.y;
    uint t = gl_LocalInvocationID.x;
    uint hwv = pc.hw / VEC;
    uint mv = pc.n * hwv;
    uint e0 = j * (pc.chunk / VEC);
    uint e1 = min(e0 + pc.chunk / VEC, mv);
    VT s = VT(0.0);
    for (uint e = e0 + t; e < e1; e += LOCAL) {
        uint i = e / hwv;
        s += x[(i * pc.c + ch) * hwv + (e - i * hwv)];
    }
    float sum = reduce(hsum(s));
    float mean = sum / float((e1 - e0) * VEC);
    VT q = VT(0.0);
    for (uint e = e0 + t; e < e1; e += LOCAL) {
        uint i = e / hwv;
        VT dv = x[(i * pc.c + ch) * hwv + (e - i * hwv)] - mean;
        q += dv * dv;
    }
    float m2 = reduce(hsum(q));
    if (t == 0u) {
        partial[2u * (ch * pc.parts + j)] = sum;
        partial[2u * (ch * pc.parts + j) + 1u] = m2;
    }
}
