package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KnownNames maps the dataset names Open accepts to the paths they stand
// for. fashion-mnist comes from Debian's dataset-fashion-mnist package.
var KnownNames = map[string]string{
	"fashion-mnist": "/usr/share/datasets/fashion-mnist",
	"mnist":         "/usr/share/datasets/mnist",
}

// DefaultName is the dataset used when no --data is given.
const DefaultName = "fashion-mnist"

// Formats lists the values Options.Format accepts.
var Formats = []string{"cifar10", "cifar100", "stl10", "idx", "folder", "npy", "svk"}

// Open opens the dataset at spec, a path or one of KnownNames (empty means
// DefaultName), and returns its training and test splits. test is nil when
// the data has no test split (a flat image folder, unlabeled STL-10 alone is
// still paired with its test split). Close both when done.
func Open(spec string, opts Options) (train, test Dataset, err error) {
	if spec == "" {
		spec = DefaultName
	}
	path := spec
	if p, ok := KnownNames[spec]; ok {
		path = p
		if _, err := os.Stat(p); err != nil {
			return nil, nil, fmt.Errorf("data: dataset %q: %s not found (for fashion-mnist: apt-get install dataset-fashion-mnist)", spec, p)
		}
	}
	format := opts.Format
	if format == "" {
		format, path, err = Detect(path)
		if err != nil {
			return nil, nil, err
		}
	} else {
		valid := false
		for _, f := range Formats {
			valid = valid || f == format
		}
		if !valid {
			return nil, nil, fmt.Errorf("data: unknown format %q (have %s)", format, strings.Join(Formats, ", "))
		}
		path = descend(path, format)
	}
	if opts.Split != "" && opts.Split != "train" && format != "stl10" {
		return nil, nil, fmt.Errorf("data: split %q is only for stl10, not %s", opts.Split, format)
	}
	switch format {
	case "cifar10":
		return OpenCIFAR10(path)
	case "cifar100":
		return OpenCIFAR100(path)
	case "stl10":
		return OpenSTL10(path, opts.Split)
	case "idx":
		return OpenIDX(path)
	case "npy":
		return OpenNpy(path)
	case "folder":
		return OpenFolder(path, opts)
	case "svk":
		return OpenSVK(path)
	}
	panic("unreachable")
}

// subdirs named after the archives the binary formats unpack to.
var archiveDirs = map[string]string{
	"cifar10":  "cifar-10-batches-bin",
	"cifar100": "cifar-100-binary",
	"stl10":    "stl10_binary",
}

// descend steps into the archive's folder when path is its parent.
func descend(path, format string) string {
	if d, ok := archiveDirs[format]; ok {
		if st, err := os.Stat(filepath.Join(path, d)); err == nil && st.IsDir() {
			return filepath.Join(path, d)
		}
	}
	return path
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Detect returns the format of the data at path, from the files present,
// and the path to open (the archive sub-folder when path is its parent).
func Detect(path string) (format, dir string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", "", fmt.Errorf("data: %w", err)
	}
	if !st.IsDir() {
		if strings.HasSuffix(path, ".npy") {
			return "npy", path, nil
		}
		if strings.HasSuffix(path, ".svk") || IsSVK(path) {
			return "svk", path, nil
		}
		return "", "", fmt.Errorf("data: %s: not a folder, .npy or .svk file", path)
	}
	for _, f := range []string{"cifar10", "cifar100", "stl10"} {
		if d := descend(path, f); d != path {
			return f, d, nil
		}
	}
	switch {
	case exists(filepath.Join(path, "data_batch_1.bin")):
		return "cifar10", path, nil
	case exists(filepath.Join(path, "train.bin")) && exists(filepath.Join(path, "test.bin")):
		return "cifar100", path, nil
	case exists(filepath.Join(path, "train_X.bin")) || exists(filepath.Join(path, "unlabeled_X.bin")):
		return "stl10", path, nil
	case exists(filepath.Join(path, "train-images-idx3-ubyte")) || exists(filepath.Join(path, "train-images-idx3-ubyte.gz")):
		return "idx", path, nil
	}
	if m, _ := filepath.Glob(filepath.Join(path, "*.npy")); len(m) > 0 {
		return "npy", path, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return "", "", fmt.Errorf("data: %w", err)
	}
	if len(entries) == 0 {
		return "", "", errors.New("data: " + path + ": empty folder")
	}
	return "folder", path, nil
}
