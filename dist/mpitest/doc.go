// Package mpitest runs Go programs under mpirun from tests: Build compiles
// a main package with the MPI build tags, Job.Exec runs it on NP ranks with
// a timeout (a hung job is killed, never waited for) and splits the output
// by rank, and Run does both and fails the test unless every rank exited 0.
// Any package's tests may import it (the train integration does).
//
// Launchers finds each MPI installed (Debian's mpirun.openmpi and
// mpirun.mpich, where pkg-config finds the matching ompi-c or mpich for the
// build), so a test can run under both; Run uses the first (Open MPI).
// SIMCLR_VK_MPIRUN names one launcher instead, SIMCLR_VK_MPI_TAGS its build
// tags. Open MPI's mpirun gets --allow-run-as-root --oversubscribe (tests
// run as root in CI with more ranks than cores) and --tag-output, MPICH's
// Hydra -prepend-rank. Without a launcher the test is skipped, but failed
// when CI=true: CI must run these tests.
package mpitest
