// Package npy is the one home of the NumPy .npy format in the tree. It
// reads and writes the header (format versions 1.0 to 3.0 read, 1.0
// written): the magic "\x93NUMPY", the version, the header length and the
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape':
// (N, D), }, padded with spaces and a newline so that the data starts at a
// multiple of 64 bytes. Only C-order arrays are accepted. ReadHeader parses
// the dict strictly (exactly descr, fortran_order and shape; at most
// MaxDims dimensions whose product cannot overflow an int64) and allocates
// only the header bytes present; Header.CheckSize compares the data a
// header promises with the file's size, so readers check before they
// allocate.
//
// On top of the header: WriteF32/WriteI64 write typed arrays to a stream
// (shape checked against the data by CheckShape), WriteFile writes raw
// bytes under a header (tests and tools), Decode decodes a whole '<f4' or
// '<i8' file, and Open opens a regular file only (internal/regfile: no
// FIFO or device) with its header parsed, whose CheckInts/ReadInts read
// integer arrays after the size check. simclr/data reads uint8 image
// arrays and their labels with it; simclr/export writes (atomically) and
// reads features and labels.
package npy
