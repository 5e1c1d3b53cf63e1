// Package mpi is a thin cgo binding of the MPI calls data-parallel training
// needs: MPI_Init_thread, MPI_Comm_rank/size, MPI_Comm_split_type (shared
// memory, for the node-local rank), MPI_Allreduce (sum of float and double),
// MPI_Iallreduce (sum of float, MPI-3: Open MPI and MPICH both have it),
// MPI_Allgather (float), MPI_Bcast (bytes), MPI_Barrier, MPI_Abort and
// MPI_Finalize. Allreduce, Iallreduce and Bcast go in pieces of
// ChunkBytes. *Comm has the method set of dist.Comm (and IallreduceSum,
// which dist wraps as dist.AsyncAllreducer); package dist returns it from
// dist.World and is the only intended user.
//
// Build tags: the binding is compiled only with the tag `mpi` (without it
// the package is empty and nothing links libmpi, so the default binary runs
// where no MPI is installed). With `mpi` alone it compiles against Open MPI
// (pkg-config ompi-c: Debian's openmpi-bin + libopenmpi-dev); with the tags
// `mpi mpich` against MPICH (pkg-config mpich: Debian's mpich +
// libmpich-dev). The two ABIs differ (Open MPI's handles are pointers,
// MPICH's are integers), so a binary is built for one of them and must be
// launched by that implementation's mpirun.
//
// Threads: MPI is initialised with MPI_THREAD_FUNNELED and every call but
// MPI_Abort is made from one goroutine locked to its OS thread (the thread
// that called MPI_Init_thread); the methods hand their work to it and wait.
// So the methods may be called from any goroutine, but each collective must
// be issued in the same order on every rank, which a program that calls
// them from several goroutines at once cannot promise. MPI_Abort is made
// from the caller's thread: the MPI thread may be blocked in a collective
// whose peer has died, and ending the job is exactly what must not wait for
// it (both implementations abort by asking the launcher to kill the job).
// Abort first waits a moment (abortGrace) so that the launcher forwards
// what the rank last printed, its reason: MPICH's Hydra was seen to drop
// it otherwise.
//
// Non-blocking all-reduce: IallreduceSum queues MPI_Iallreduce for the MPI
// thread and returns without waiting for the thread to take it (the queue
// is buffered and first in, first out, so the collectives' order is the
// order of the calls; an error of the call comes back from Wait); the
// buffer stays pinned (runtime.Pinner: MPI keeps
// its address after the call) until the request completes. Open MPI's
// non-blocking collectives (libnbc) advance only inside MPI calls, so while
// requests are outstanding and no work is queued the MPI thread calls
// MPI_Testall on them, first pollMin after a request starts or completes,
// then at doubling intervals up to pollMax: a timer wait, not a spin, so
// that the thread takes little of a core that the rank's own backward pass
// (or, on a shared machine, another rank) needs, at the price of up to
// pollMax of latency per step of the collective's schedule. Request.Wait
// is MPI_Waitall on the MPI thread. Blocking collectives may be issued
// while requests are outstanding (they also drive them): MPI matches
// blocking and non-blocking collectives of a communicator in the order
// they are posted, so every rank must post them in the same order, which
// the funneling through one thread keeps for a program whose collectives
// come from one goroutine. Wait blocks the MPI thread, so call it from
// that goroutine, never while another goroutine of the rank has to issue a
// collective that a peer needs first. Finalize first waits for requests
// never waited for.
//
// Errors: MPI_COMM_WORLD and the node-local communicator use
// MPI_ERRORS_RETURN, so a failing call returns a Go error naming the call
// and MPI_Error_string's text instead of aborting the job. The Go runtime
// keeps its signal handlers (Open MPI leaves alone the SIGSEGV handler it
// finds installed): dist's mpirun test checks that a nil dereference still
// panics after MPI_Init_thread.
//
// The job ends badly if a process exits without Finalize: call it once,
// after the last collective, on every rank.
package mpi
