// Package dist is the communication layer of data-parallel training: the
// Comm interface (the dozen collectives SimCLR needs: all-reduce of
// gradients and batch-norm sums, all-gather of projections, broadcast,
// barrier, abort), Single (the world of one process, what every run without
// MPI uses), Local (n ranks in one process, one goroutine each, with real
// collective semantics: the tests' world) and the implementations that span
// processes.
//
// The training code depends only on Comm, so the distributed math (global
// batch norm, the gathered NT-Xent loss, gradient averaging) is tested in one
// process against the single-rank result, and the MPI binding is tested on
// its own under mpirun.
package dist
