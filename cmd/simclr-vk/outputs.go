package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"simclr-vk/internal/runlock"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
)

// ioPath is an input or output of a command, with the flag that named it
// (for messages).
type ioPath struct{ flag, path string }

// checkOutputs refuses, before any work, outputs that would destroy one of
// the command's inputs: an output that is an input file (os.SameFile after
// following the input's symbolic links; an output that is itself a link is
// replaced by the atomic write, not written through) or an existing file
// inside an input directory that the command could be reading from it
// (readableBy: a checkpoint or "latest" in a --checkpoint directory, a
// dataset or image file in a --data directory); a result such as knn.json,
// features.npy or encoder.safetensors written again into the run directory
// it was made from may be replaced. A single .npy --data file stands for its
// labels file too (data.NpyLabelsPath). Any new file inside a --data image
// folder is refused too: the folder would read it as data next time. "" and "-" are not files; an input
// that does not exist (a dataset name, a typo) is left to its reader.
func checkOutputs(outs []ioPath, ins ...ioPath) error {
	for _, in := range ins {
		if in.flag == "data" && strings.HasSuffix(in.path, ".npy") {
			ins = append(ins, ioPath{in.flag, data.NpyLabelsPath(in.path)})
		}
	}
	for _, o := range outs {
		if o.path == "" || o.path == "-" {
			continue
		}
		ost, err := os.Lstat(o.path)
		exists := err == nil // a new file replaces nothing
		for _, in := range ins {
			ist, err := os.Stat(in.path)
			if in.path == "" || err != nil {
				continue
			}
			if exists && os.SameFile(ost, ist) {
				return fmt.Errorf("--%s %s is the input --%s %s: writing it would destroy the input; choose another --%s", o.flag, o.path, in.flag, in.path, o.flag)
			}
			if !ist.IsDir() || !inside(filepath.Dir(o.path), ist) {
				continue
			}
			if exists && readableBy(in.flag, o.path) {
				return fmt.Errorf("--%s %s would replace a file inside the input --%s directory %s; choose another --%s", o.flag, o.path, in.flag, in.path, o.flag)
			}
			if !exists && in.flag == "data" && isImageFolder(in.path) {
				return fmt.Errorf("--%s %s would add a file to the input --%s image folder %s (read as data next time: an image, or a .npy that changes its detected format); choose another --%s", o.flag, o.path, in.flag, in.path, o.flag)
			}
		}
	}
	return nil
}

// isImageFolder reports whether the data directory dir is an image folder
// (data.Detect), where any new file may be read as data: an image as a
// training image, a .npy as a change of the detected format.
func isImageFolder(dir string) bool {
	format, _, err := data.Detect(dir)
	return err == nil && format == "folder"
}

// samePath reports whether a and b name one file: the same absolute path
// (a/f.npy and ./a/f.npy), or existing files that are the same.
func samePath(a, b string) bool {
	pa, ea := filepath.Abs(a)
	pb, eb := filepath.Abs(b)
	if ea == nil && eb == nil && pa == pb {
		return true
	}
	sa, ea := os.Stat(a)
	sb, eb := os.Stat(b)
	return ea == nil && eb == nil && os.SameFile(sa, sb)
}

// readableBy reports whether a file of this name could be one that the
// input named by flag reads from its directory: a checkpoint directory
// (--checkpoint) its checkpoints and their "latest" pointer, a weights
// source (--from, --init-from) those and .safetensors, data (--data and any
// other flag) images and the dataset formats (CIFAR/STL .bin, IDX, .npy,
// .gz) as well.
func readableBy(flag, path string) bool {
	base := strings.ToLower(filepath.Base(path))
	ext := filepath.Ext(base)
	ckpt := base == checkpoint.LatestFile || ext == ".ckpt"
	switch flag {
	case "checkpoint":
		return ckpt
	case "from", "init-from":
		return ckpt || ext == ".safetensors"
	}
	switch ext {
	case ".ckpt", ".safetensors", ".png", ".jpg", ".jpeg", ".bin", ".npy", ".gz":
		return true
	}
	return ckpt || strings.Contains(base, "ubyte")
}

// inside reports whether dir is the directory d or below it (resolving
// links).
func inside(dir string, d os.FileInfo) bool {
	p, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	for {
		if st, err := os.Stat(p); err == nil && os.SameFile(st, d) {
			return true
		}
		parent := filepath.Dir(p)
		if parent == p {
			return false
		}
		p = parent
	}
}

// checkOutDir refuses a checkpoint output directory that holds one of the
// input checkpoints (the input directory itself, or the directory of an
// input file): a new checkpoint and "latest" there would mix with, and
// take precedence over, the input's history.
func checkOutDir(out ioPath, ins ...ioPath) error {
	ost, err := os.Stat(out.path)
	if err != nil {
		return nil // created by the command: holds nothing yet
	}
	for _, in := range ins {
		ist, err := os.Stat(in.path)
		if in.path == "" || err != nil {
			continue
		}
		dir := in.path
		if !ist.IsDir() {
			dir = filepath.Dir(in.path)
		}
		if dst, err := os.Stat(dir); err == nil && os.SameFile(ost, dst) {
			return fmt.Errorf("--%s %s holds the input --%s %s: writing a checkpoint there would mix with it; choose another --%s", out.flag, out.path, in.flag, in.path, out.flag)
		}
	}
	return nil
}

// lockRunDir takes the lock of a directory the command writes checkpoints
// into (see internal/runlock), naming the flag in its error.
func lockRunDir(flag, dir string) (*runlock.Lock, error) {
	l, err := runlock.Acquire(dir, runlock.CommandLine())
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	if n := l.StaleNote(); n != "" {
		fmt.Fprintln(os.Stderr, n)
	}
	return l, nil
}

// lockNewRunDir is lockRunDir for a command that saves one checkpoint
// (step 0) into dir: once the lock is held, a dir that already holds
// checkpoints (an earlier import or finetune, a training run) is refused,
// as train refuses it, instead of having its checkpoint-000000.ckpt
// replaced or its history mixed with the new one.
func lockNewRunDir(flag, dir string) (*runlock.Lock, error) {
	l, err := lockRunDir(flag, dir)
	if err != nil {
		return nil, err
	}
	files, err := checkpoint.List(dir)
	if err == nil && len(files) > 0 {
		err = fmt.Errorf("--%s %s already holds checkpoints (%s): writing there would replace them; choose another --%s or remove them", flag, dir, filepath.Base(files[len(files)-1]), flag)
	}
	if err != nil {
		l.Release()
		return nil, err
	}
	return l, nil
}

// checkRunDirOutput checks a directory that a command saves one checkpoint
// (step 0) into, with extra files next to it: not the directory of an input
// checkpoint, and none of the files it writes an input.
func checkRunDirOutput(out ioPath, extra []string, ins ...ioPath) error {
	if err := checkOutDir(out, ins...); err != nil {
		return err
	}
	outs := []ioPath{{out.flag, filepath.Join(out.path, checkpoint.FileName(0))}, {out.flag, filepath.Join(out.path, checkpoint.LatestFile)}}
	for _, x := range extra {
		outs = append(outs, ioPath{out.flag, filepath.Join(out.path, x)})
	}
	return checkOutputs(outs, ins...)
}
