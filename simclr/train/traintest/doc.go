// Package traintest holds the checks that the data-parallel tests of
// simclr/train (in-process worlds) and cmd/simclr-vk (mpirun) share: two
// training runs that differ only in float summation order (world size)
// left checkpoints and losses that agree within a tolerance.
package traintest
