// Package alloctest measures what a function allocates, for the fuzz
// targets and tests of the file readers: a reader must return an error or a
// valid result and never allocate more than a bound proportional to its
// input (see each reader's documented limits).
package alloctest
