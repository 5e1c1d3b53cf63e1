#version 450
// batchnorm_forward_train_finalize.comp: second level of the split training
// statistics: one workgroup per channel merges the parts chunk partials of
// batchnorm_forward_train_partial.comp in a fixed order (per invocation in
// order, then a shared-memory tree; deterministic):
//   mean = (sum_j sum_j) / m,
//   var  = (sum_j M2_j + n_j*(sum_j/n_j - mean)^2) / m   (biased; Chan et al.),
//   n_j  = values in chunk j = min(chunk, m - j*chunk),  m = N/groups*HW,
//   saveMean = mean, saveInvStd = 1/sqrt(var + eps),
//   runMean = (1-momentum)*runMean + momentum*mean,
//   runVar  = (1-momentum)*runVar  + momentum*var*m/(m-1)   (unbiased).
//
// Bindings (storage buffers, set 0):
//   0: partial    (2*C*parts floats, read): (sum, M2) of chunk j of channel
//                 ch at 2*(ch*parts + j)
//   1: runMean    (C floats, read and written)
//   2: runVar     (C floats, read and written)
//   3: saveMean   (C floats, written)
//   4: saveInvStd (C floats, written)
// Specialization constants: 0 LOCAL (workgroup size, a power of two).
// Layout: local_size_x = LOCAL; chunk j visited by invocation j % LOCAL.
// Dispatch grid: groups*C workgroups spread over x and y (grid1D, one
// (group, channel) each).
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups}
// (Go: pushBatchNormSplit in engine/vulkan/batchnorm.go; chunk in values).
// CPU reference: cpu.BatchNormForwardTrain (statistics).

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 64;

layout(std430, binding = 0) readonly buffer B0 { float partial[]; };
layout(std430, binding = 1) buffer B1 { float runMean[]; };
layout(std430, binding = 2) buffer B2 { float runVar[]; };
layout(std430, binding = 3) writeonly buffer B3 { float saveMean[]; };
layout(std430, binding = 4) writeonly buffer B4 { float saveInvStd[]; };

#include "batchnorm_push.glsl"

#include "batchnorm_reduce.glsl"

#include "grid1d.glsl"

void main() {
    #include "batchnorm_merge.glsl"
    if (t == 0u) {
        saveMean[gch] = mean;
        saveInvStd[gch] = 1.0 / sqrt(ss / float(m) + pc.eps);
        runMean[gch] = (1.0 - pc.momentum) * runMean[gch] + pc.momentum * mean;
        runVar[gch] = (1.0 - pc.momentum) * runVar[gch] + pc.momentum * (ss / float(m - 1u));
    }
}
