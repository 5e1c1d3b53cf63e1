// Package traintest holds the checks that the data-parallel tests of
// simclr/train (in-process worlds) and cmd/simclr-vk (mpirun) share: two
// training runs that differ only in float summation order (world size)
// left checkpoints and losses that agree within a tolerance; for mixed
// precision (MixedAgree) a tolerance relative to the float16 noise, the
// distance of a float32 run, with the loss scaler's state equal.
package traintest
