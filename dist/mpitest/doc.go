// Package mpitest runs Go programs under mpirun from tests: Build compiles
// a main package with the MPI build tags, Job.Exec runs it on NP ranks with
// a timeout (a hung job is killed, never waited for) and splits the output
// by rank, and Run does both and fails the test unless every rank exited 0.
// Any package's tests may import it (the train integration does).
//
// Environment: SIMCLR_VK_MPIRUN names the launcher (default: mpirun on
// PATH); SIMCLR_VK_MPI_TAGS the build tags (default "mpi"; "mpi mpich"
// with MPICH's mpirun, e.g. SIMCLR_VK_MPIRUN=mpirun.mpich). Open MPI's
// mpirun gets --allow-run-as-root --oversubscribe (tests run as root in CI
// with more ranks than cores) and --tag-output, MPICH's Hydra
// -prepend-rank. Without a launcher the test is skipped, but failed when
// CI=true: CI must run these tests.
package mpitest
