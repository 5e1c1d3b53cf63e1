// Package pycheck runs the tests' Python cross-checks: independent
// Python readers of the files the Go code writes (.npy, safetensors) and
// PyTorch loading exported weights. A test takes the first interpreter
// (python3 on PATH, then /usr/bin/python3) that imports the modules it
// needs; where none does it skips, or fails under CI=true. It fails with
// the script's output where the script fails.
package pycheck
