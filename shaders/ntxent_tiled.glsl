// ntxent_tiled.glsl: the tile geometry of ntxent_forward_tiled.comp and
// ntxent_backward_tiled.comp (their specialization constants 0-5, see their
// headers) and the shared slices the score tile (ntxent_score_tile.glsl)
// stages z through; included before their bindings.

layout(local_size_x_id = 5) in;
layout(constant_id = 0) const uint BM = 64;
layout(constant_id = 1) const uint BN = 64;
layout(constant_id = 2) const uint BK = 16;
layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
layout(constant_id = 5) const uint WG = 256;

const uint NX = BN / TN; // invocations along a tile's columns

shared float As[BK * BM];
shared float Bs[BK * BN];
