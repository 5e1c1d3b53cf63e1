// Package npy reads and writes the header of NumPy .npy files (format
// versions 1.0 to 3.0 read, 1.0 written): the magic "\x93NUMPY", the
// version, the header length and the Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }, padded with
// spaces and a newline so that the data starts at a multiple of 64 bytes.
// Only C-order arrays are accepted. ReadHeader parses the dict strictly
// (exactly descr, fortran_order and shape; at most MaxDims dimensions whose
// product cannot overflow an int64) and allocates only the header bytes
// present; Header.CheckSize compares the data a header promises with the
// file's size, so readers check before they allocate. simclr/data reads
// uint8 image arrays and their labels with it; simclr/export writes and
// reads features and labels.
package npy
