package mpi

// ChunkBytes is the most bytes one MPI_Allreduce or MPI_Bcast call moves:
// longer buffers go in pieces. A single call on a buffer of tens of MiB
// was found far slower than the same data in pieces, under Open MPI and
// MPICH alike (the commit that set this has the figures); at 16 MiB a
// piece, the latency of the extra calls is small against the transfer.
// (Untagged, so that programs built without MPI can size buffers by it.)
const ChunkBytes = 16 << 20
