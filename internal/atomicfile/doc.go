// Package atomicfile writes files so that a crash or a full disk never
// leaves a half-written file under the final name and never destroys the
// previous version: the content goes to a temporary file in the same
// directory (named TempPrefix + base name + random suffix), which is
// flushed, fsynced, given mode 0644, renamed over the final name, and the
// directory is fsynced. Checkpoints, exported weights, features, plots and
// pointer files all go through it.
package atomicfile
