// Package atomicfile writes files so that a crash or a full disk never
// leaves a half-written file under the final name and never destroys the
// previous version: the content goes to a temporary file in the same
// directory (named TempPrefix + base name + random suffix), which is
// flushed, fsynced, given mode 0644, renamed over the final name, and the
// directory is fsynced. Checkpoints, exported weights, features, plots and
// pointer files all go through it. The rename replaces a symbolic link
// planted under the final name instead of writing through it, and a failed
// or panicking fill leaves no temporary file behind.
package atomicfile
