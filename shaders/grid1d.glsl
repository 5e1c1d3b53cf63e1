// grid1d.glsl: the flat indices of engine/vulkan's grid1D dispatch, which
// spreads a 1-D count of workgroups over x and y to stay under
// maxComputeWorkGroupCount[0]:
//   GRID1D_GROUP     the flat workgroup index,
//                    gl_WorkGroupID.y*gl_NumWorkGroups.x + gl_WorkGroupID.x;
//   GRID1D_INDEX(W)  the flat invocation index for workgroups of W
//                    invocations along x (W the local size x).
// Macros, so that the kernels compile as if they spelt the expression out.

#define GRID1D_GROUP (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x)
#define GRID1D_INDEX(W) (GRID1D_GROUP * W + gl_LocalInvocationID.x)
