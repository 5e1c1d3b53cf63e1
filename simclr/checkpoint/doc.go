// Package checkpoint saves and restores a training run: model parameters,
// buffers (BatchNorm running statistics) and optimizer state as named
// float32 tensors, plus JSON metadata (config, epoch, global step, schedule
// position, RNG state, architecture, free-form fields).
//
// File format (version 1), all integers little-endian:
//
//	header   16 bytes: magic "SIMCLRCK", uint32 format version, uint32 flags (0)
//	body     zstd stream of the content:
//	           uint32 L, L bytes of JSON {"meta": Meta, "tensors": [{name, kind, shape}]},
//	           then every tensor's float32 data in index order
//	trailer  32 bytes: uint64 content length, uint64 body length,
//	           uint32 CRC-32C of the body, uint32 CRC-32C of the content,
//	           magic "CKPT_END"
//
// Read reports, naming the file: foreign files (wrong magic), newer format
// versions (ErrNewer only for a plausible version, up to 255; a larger
// field is a damaged header, ErrCorrupt), truncation (missing trailer or
// short body), checksum mismatches and undecodable content.
//
// Limits of the reader: every size the file states is checked before
// anything is allocated for it. The content length in the trailer may be
// at most MaxCompressionRatio (64) times the compressed body plus
// RatioSlack (1 MiB), so a damaged length or a decompression bomb is
// refused without decompressing; decompression stops at the stated length
// (a longer stream is corrupt); Encode refuses to write content beyond
// that ratio (tensors almost all zeros) rather than leave a checkpoint the
// reader skips. The metadata length must lie inside the
// content; tensor shapes are checked with Numel (no negative dimension, no
// overflowing product) and together must cover the tensor data exactly
// before any tensor is allocated; names must be non-empty and unique, run
// positions non-negative. Decode thus allocates at most about
// 2*MaxCompressionRatio times the file size plus a few MiB (FuzzDecode,
// and FuzzDecodeContent behind valid checksums, check
// (2*MaxCompressionRatio+64) bytes per input byte plus 18 MiB). Read
// refuses anything but a regular file and reads a file whole only after its
// first 8 bytes show the magic and its header and trailer check out against
// its size (checkFrame: a sparse or truncated file is refused without
// being read), and never a file larger than the physical memory.
//
// Crash safety: Write goes through a temporary file in the same directory,
// fsyncs it, renames it over the final name and fsyncs the directory, so the
// previous checkpoint is intact until the new one is durable. Dir.Save names
// files checkpoint-<global step, at least 6 digits>.ckpt, then atomically
// rewrites the pointer file "latest" (holding the file name), then deletes
// checkpoints beyond the last Keep and leftover temporary files of checkpoints
// and of "latest" (not those of other files being written there). Writes
// never go through a symbolic link planted in the directory: the rename
// replaces the link, List (and so pruning) skips anything but regular
// files, and only the link itself would ever be removed.
//
// Load accepts a file or a directory. For a directory it tries the file
// named by "latest" (read only when it is a regular file of at most 4 KiB
// naming a checkpoint file of the directory), then the other checkpoints
// newest (highest step) first, and returns the first that reads cleanly and
// holds only finite values (CheckFinite: a diverged model is never "the
// last good checkpoint"); skipped files are listed, with the reason, in
// Checkpoint.Warnings so the caller can log them. A file loaded directly is
// returned even when it holds NaN or Inf; callers that need finite values
// call CheckFinite.
//
// Tensor naming convention used by the trainer: Kind is "param", "buffer" or
// "optim"; names are the model's state-dict names, optimizer state under
// layers/optim's names ("<param>.momentum_buffer", "<param>.exp_avg",
// "<param>.exp_avg_sq").
package checkpoint
