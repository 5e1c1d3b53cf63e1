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
// versions, truncation (missing trailer or short body), checksum mismatches
// and undecodable content.
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
// named by "latest", then the other checkpoints newest (highest step) first,
// and returns the first that reads cleanly; skipped files are listed in
// Checkpoint.Warnings so the caller can log them.
//
// Tensor naming convention used by the trainer: Kind is "param", "buffer" or
// "optim"; names are the model's state-dict names, optimizer state under
// simclr/optim's names ("<param>.momentum_buffer", "<param>.exp_avg",
// "<param>.exp_avg_sq").
package checkpoint
