// Package bound checks command-line and configuration values against their
// documented ranges before any work starts, and refuses sizes that cannot
// fit in memory with the estimate. Every error is one line that names the
// flag (or configuration key) and the range.
package bound
