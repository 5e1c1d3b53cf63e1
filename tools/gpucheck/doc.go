// Package gpucheck holds the tests of the one-shot GPU check's scripts,
// tools/gpucheck.sh and tools/gpucheck_device.sh (and the goals summary
// tools/gpucheck_goals.py). The scripts run for real only in the rare
// sessions with a GPU, so their plumbing (step order, the time budget,
// the report written when stopped, the copy to the output folder) is
// checked here on every CI run, with a fake simclr-vk binary that prints
// the JSON lines the real one would.
package gpucheck
