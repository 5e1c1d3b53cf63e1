// grid1d.glsl: the flat indices of engine/vulkan's grid1D dispatch, which
// spreads a 1-D count of workgroups over x and y to stay under
// maxComputeWorkGroupCount[0]:
//   GRID1D_GROUP     the flat workgroup index,
//                    gl_WorkGroupID.y*gl_NumWorkGroups.x + gl_WorkGroupID.x;
//   GRID1D_INDEX(W)  the flat invocation index for workgroups of W
//                    invocations along x (W the local size x).
// and the bounds checks of the kernels' main (statement lists):
//   GRID1D_BOUND(i, W, n)     declares uint i = GRID1D_INDEX(W); the
//                             invocation returns when i >= n.
//   GRID1D_GROUP_BOUND(g, n)  declares uint g = GRID1D_GROUP; the
//                             workgroup returns when g >= n (the whole
//                             workgroup: no barrier is skipped by part of
//                             it).
// Macros, so that the kernels compile as if they spelt them out.

#define GRID1D_GROUP (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x)
#define GRID1D_INDEX(W) (GRID1D_GROUP * W + gl_LocalInvocationID.x)

#define GRID1D_BOUND(i, W, n) \
    uint i = GRID1D_INDEX(W); \
    if (i >= (n)) { \
        return; \
    }

#define GRID1D_GROUP_BOUND(g, n) \
    uint g = GRID1D_GROUP; \
    if (g >= (n)) { \
        return; \
    }
