// Package regfile opens the files that readers take sizes from, refusing
// anything but a regular file: a named pipe (FIFO) would block the open or
// the read forever, a device such as /dev/zero would be read without end,
// and a directory or socket has no size to check a header against. Open
// stats the path first, opens it non-blocking (so a path swapped for a FIFO
// between the stat and the open does not hang either) and checks the opened
// file again; ReadFile reads exactly the size the open file reports.
package regfile
