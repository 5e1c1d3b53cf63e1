// batchnorm_chunk.glsl: a statement fragment, the start of the main of the
// partial passes (batchnorm_forward_train_partial.comp and
// batchnorm_backward_partial.comp): workgroup (j, gch) takes chunk j of
// group-channel gch, the VT elements [e0, e1) of the mv = (n/groups)*hw/VEC
// that channel ch has in the group's rows (from row0); element e is at
// ((row0 + e/hwv)*C + ch)*hwv + e%hwv. t is the invocation.

uint j = gl_WorkGroupID.x;
uint gch = gl_WorkGroupID.y; // group * C + channel
uint ch = gch % pc.c;
uint ng = pc.n / pc.groups;
uint row0 = (gch / pc.c) * ng; // the group's first row
uint t = gl_LocalInvocationID.x;
uint hwv = pc.hw / VEC;
uint mv = ng * hwv;
uint e0 = j * (pc.chunk / VEC);
uint e1 = min(e0 + pc.chunk / VEC, mv);
