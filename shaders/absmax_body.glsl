// absmax_body.glsl: the push-constant block {uint n, slot} (Go: PushAbsMax
// in engine/vulkan/internal/tune) and the main of absmax.comp and
// absmax_diff.comp, included after their bindings (binding 0: uint M[]),
// with ABSMAX_VALUE(i) defined as the float whose magnitude element i
// contributes. Each invocation takes elements i, i + stride, ...
// (grid-stride over the whole dispatch of 256-wide workgroups), keeps the
// largest |value| as float bits (sign bit cleared: non-negative patterns
// order like their values, NaN above +Inf), the workgroup reduces them in
// shared memory and adds one atomicMax into M[slot].

layout(push_constant) uniform Push {
    uint n, slot;
} pc;

#include "treereduce.glsl"

shared uint red[256];

void main() {
    uint lid = gl_LocalInvocationID.x;
    uint m = 0u;
    for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += gl_NumWorkGroups.x * 256u) {
        m = max(m, floatBitsToUint(ABSMAX_VALUE(i)) & 0x7fffffffu);
    }
    TREE_MAX(red, m, lid, 128u);
    if (lid == 0u) {
        atomicMax(M[pc.slot], red[0]);
    }
}
