package checkpoint

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"simclr-vk/internal/atomicfile"
)

const (
	tempPrefix = atomicfile.TempPrefix
	filePrefix = "checkpoint-"
	fileSuffix = ".ckpt"
	LatestFile = "latest"
)

// FileName is the name of the checkpoint for a global step.
func FileName(step int64) string { return fmt.Sprintf("%s%06d%s", filePrefix, step, fileSuffix) }

// FileStep is the global step of a checkpoint file name (the inverse of
// FileName), or -1 for any other name.
func FileStep(name string) int64 {
	if !strings.HasPrefix(name, filePrefix) || !strings.HasSuffix(name, fileSuffix) {
		return -1
	}
	s, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(name, filePrefix), fileSuffix), 10, 64)
	if err != nil || s < 0 {
		return -1
	}
	return s
}

// Dir is a directory of checkpoints keeping the last Keep (0 or less: all).
type Dir struct {
	Path string
	Keep int
}

// Save writes c as checkpoint-<c.Meta.GlobalStep>.ckpt, points "latest" at
// it and then prunes older checkpoints beyond Keep and stale temporary
// files. Nothing is deleted unless the new checkpoint and the pointer are
// durable. It returns the path written.
func (d Dir) Save(c *Checkpoint) (string, error) {
	if err := os.MkdirAll(d.Path, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint: save: %w", err)
	}
	name := FileName(c.Meta.GlobalStep)
	path := filepath.Join(d.Path, name)
	if err := Write(path, c); err != nil {
		return "", err
	}
	if err := writeLatest(d.Path, name); err != nil {
		return path, err
	}
	return path, d.prune(name)
}

func writeLatest(dir, name string) error {
	path := filepath.Join(dir, LatestFile)
	if err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, name+"\n")
		return err
	}); err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	return nil
}

// List returns the checkpoint files of a directory, oldest (lowest step) first.
func List(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: list: %w", err)
	}
	type f struct {
		step int64
		name string
	}
	var fs []f
	for _, e := range ents {
		if s := FileStep(e.Name()); s >= 0 && e.Type().IsRegular() {
			fs = append(fs, f{s, e.Name()})
		}
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].step < fs[j].step })
	out := make([]string, len(fs))
	for i, x := range fs {
		out[i] = filepath.Join(dir, x.name)
	}
	return out, nil
}

func (d Dir) prune(keepName string) error {
	files, err := List(d.Path)
	if err != nil {
		return err
	}
	var errs []error
	if d.Keep > 0 && len(files) > d.Keep {
		for _, p := range files[:len(files)-d.Keep] {
			if filepath.Base(p) == keepName {
				continue
			}
			if err := os.Remove(p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	// Temporary files of checkpoints and of the pointer are never complete:
	// a crash left them. Those of other writers (an export into the same
	// directory may be under way) are not ours to remove.
	ents, _ := os.ReadDir(d.Path)
	for _, e := range ents {
		if n := e.Name(); e.Type().IsRegular() && (strings.HasPrefix(n, tempPrefix+filePrefix) || strings.HasPrefix(n, tempPrefix+LatestFile+".")) {
			os.Remove(filepath.Join(d.Path, n))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("checkpoint: prune %s: %w", d.Path, errors.Join(errs...))
	}
	return nil
}

// Load reads a checkpoint file, or the newest usable checkpoint of a
// directory (see the package doc): one that reads cleanly and holds only
// finite values.
func Load(path string) (*Checkpoint, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: load: %w", err)
	}
	if !st.IsDir() {
		return Read(path)
	}
	files, err := List(path)
	if err != nil {
		return nil, err
	}
	// newest first, with the file named by "latest" ahead of all
	order := make([]string, 0, len(files)+1)
	if name := readLatest(path); name != "" {
		order = append(order, filepath.Join(path, name))
	}
	for i := len(files) - 1; i >= 0; i-- {
		if len(order) == 0 || files[i] != order[0] {
			order = append(order, files[i])
		}
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("checkpoint: load: no %s*%s files in %s", filePrefix, fileSuffix, path)
	}
	var warnings []string
	var errs []error
	for _, p := range order {
		c, err := Read(p)
		if err == nil {
			if err = c.CheckFinite(); err != nil {
				err = fmt.Errorf("checkpoint: %s: %w", p, err)
			}
		}
		if err == nil {
			c.Warnings = warnings
			return c, nil
		}
		warnings = append(warnings, "skipped: "+err.Error())
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("checkpoint: load %s: no usable checkpoint: %w", path, errors.Join(errs...))
}

// maxLatestBytes bounds what is read of the pointer file: it holds one
// file name.
const maxLatestBytes = 4096

// readLatest returns the checkpoint file name the pointer file "latest" of
// dir holds, or "" when it is missing, not a regular file (a FIFO would
// block the reader), too long or names anything but a checkpoint file of
// dir.
func readLatest(dir string) string {
	p := filepath.Join(dir, LatestFile)
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLatestBytes+1))
	if err != nil || len(b) > maxLatestBytes {
		return ""
	}
	name := strings.TrimSpace(string(b))
	if FileStep(name) < 0 || filepath.Base(name) != name {
		return ""
	}
	return name
}
