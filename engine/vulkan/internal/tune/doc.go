// Package tune is the Vulkan backend's tuning service: for a problem key
// (a GEMM shape class, a convolution problem) an op family times its
// candidate kernels with a Timer (GPU timestamps, or wall time between
// flushes; median of several runs after a warm-up), keeps those whose
// output agrees with the register-blocked reference's (Setup,
// TimeChecked: agree.go, on the device with absmax.comp and
// absmax_diff.comp), and records the fastest in the
// Service's cache (one JSON file per user, entries keyed by vendor,
// device, driver and API version: cache.go), so later runs take it
// without timing. Notes (ignored cache files, failed tunings, rejected
// candidates) are logged and kept for tests.
package tune
