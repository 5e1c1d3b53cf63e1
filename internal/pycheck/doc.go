// Package pycheck runs the tests' Python cross-checks: independent
// Python readers of the files the Go code writes (.npy, safetensors) and
// PyTorch loading exported weights. A test skips where python3, or a
// module it needs, is missing, and fails with the script's output where
// the script fails.
package pycheck
