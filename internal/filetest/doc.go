// Package filetest holds what the tests of the file readers share to show
// that a reader refuses a special file instead of hanging on it: FIFO
// makes a named pipe (opening one for reading blocks until a writer
// comes), and Returns fails a test whose call has not come back within a
// limit, so a reader that does block fails its test instead of stalling
// the whole run.
package filetest
