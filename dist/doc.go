// Package dist is the communication layer of data-parallel training: the
// Comm interface (the dozen collectives SimCLR needs: all-reduce of
// gradients (blocking or not) and batch-norm sums, all-gather of projections, broadcast,
// barrier, abort), Single (the world of one process, what every run without
// MPI uses), Local (n ranks in one process, one goroutine each, with real
// collective semantics: the tests' world) and the implementations that span
// processes.
//
// AsyncAllreducer (IallreduceSum returning a Request to Wait on) is an
// optional interface beside Comm, found by a type assertion: Single, Local
// and the MPI world have it, and the data-parallel step uses it to run the
// gradient all-reduce while its backward pass goes on. A started
// IallreduceSum counts as a collective where it is started: every rank
// starts the same collectives, blocking or not, in the same order.
//
// The training code depends only on Comm, so the distributed math (global
// batch norm, the gathered NT-Xent loss, gradient averaging) is tested in one
// process against the single-rank result, and the MPI binding is tested on
// its own under mpirun.
//
// A program takes its world from World and, at the end, calls Finalize on
// every rank; a rank that cannot go on calls Fatal, which names the rank
// and ends every rank (MPI_Abort) rather than leaving the others blocked in
// a collective, and `defer Recover(comm)` does the same with a panic. Built with the tag mpi (bin/simclr-vk-mpi), World
// initialises MPI when an MPI launcher (mpirun, mpiexec, srun) started the
// process, through internal/mpi (Open MPI; tags "mpi mpich" for MPICH), and
// is Single otherwise. Built without it (bin/simclr-vk), World is Single,
// and an error naming bin/simclr-vk-mpi when a launcher started the process
// as one of several ranks: never N independent trainings writing the same
// folder. DetectLaunch reads the launchers' variables.
//
// dist/mpitest runs Go programs under mpirun from tests;
// dist/internal/mpicheck is the program TestMPI runs there (every
// collective, a rank's Fatal or exit ending the job, the binary without
// MPI refusing).
package dist
