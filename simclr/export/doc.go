// Package export writes model weights and features in formats other tools
// read: safetensors (Hugging Face; loadable into a PyTorch state dict with
// safetensors.torch.load_file) and NumPy .npy.
//
// Safetensors (https://github.com/huggingface/safetensors, format section):
//
//	8 bytes   little-endian uint64 N, the header size
//	N bytes   UTF-8 JSON object: {"__metadata__": {str: str}, name: {"dtype": "F32",
//	          "shape": [..], "data_offsets": [begin, end]}, ...}, padded with
//	          spaces so that 8+N is a multiple of 8
//	rest      the byte buffer; offsets are relative to its start
//
// WriteSafetensors emits tensors in name order, data contiguous and in the
// same order, little-endian. It writes F32 and I64 (torch BatchNorm's
// num_batches_tracked is an int64 scalar: shape [] is allowed); the reader
// also takes F16, BF16 and F64, as float32 values (Tensor). The reader
// checks everything the spec requires (valid JSON, header at most
// MaxHeaderBytes and inside the file, no duplicate or empty names, known
// dtype, shapes without negative dimensions or an overflowing product
// (checkpoint.Numel), size == numel * itemsize, offsets contiguous from 0
// and exactly covering the buffer: no overlap, gap or out-of-range offset)
// for every tensor before it allocates any, and names the file and the
// tensor in its errors. Beyond the file, which ReadSafetensors holds
// whole, it allocates the tensors (at most twice the data: F16 and BF16
// widen 2 bytes to 4) and the header's JSON decoding;
// FuzzDecodeSafetensors checks 64 bytes per input byte plus 1 MiB, and
// TestSafetensorsReadsHalfAndDouble 2 per byte for a large F16 tensor. ReadSafetensors refuses anything but
// a regular file, and checks the header length against the file size and
// the whole header against the rest of the file (decodeHeader: a sparse
// file or trailing data is refused) before reading the file whole.
//
// StateDict converts a checkpoint's parameters and buffers (no optimizer
// state) into safetensors tensors, num_batches_tracked buffers as I64.
//
// Npy (format version 1.0, encoded by simclr/npy): WriteNpyF32 for (N, D)
// float32 features and WriteNpyI64 for int64 labels; ReadNpy reads them
// back (C order, '<f4' or '<i8' only).
//
// Files are written through a temporary file in the same directory and
// renamed into place, so a crash never leaves a half-written export under
// the final name.
package export
