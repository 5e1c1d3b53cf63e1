package data

import (
	"fmt"
	"path/filepath"
)

const cifarPix = 3 * 32 * 32

// OpenCIFAR10 opens the CIFAR-10 binary version in dir
// (cifar-10-batches-bin): the data_batch_1..5.bin present form the training
// split (at least data_batch_1.bin is required), test_batch.bin the test
// split. Records are 1 label byte + 3072 pixel bytes, already CHW.
func OpenCIFAR10(dir string) (train, test Dataset, err error) {
	var paths []string
	for k := 1; k <= 5; k++ {
		p := filepath.Join(dir, fmt.Sprintf("data_batch_%d.bin", k))
		if k == 1 || exists(p) {
			paths = append(paths, p)
		}
	}
	return openCIFARSplits("cifar10", paths, []string{filepath.Join(dir, "test_batch.bin")}, 1, 0, 10)
}

// OpenCIFAR100 opens the CIFAR-100 binary version in dir (cifar-100-binary):
// train.bin and test.bin, records of a coarse label byte, a fine label byte
// and 3072 CHW pixel bytes. The fine label (100 classes) is used.
func OpenCIFAR100(dir string) (train, test Dataset, err error) {
	return openCIFARSplits("cifar100", []string{filepath.Join(dir, "train.bin")}, []string{filepath.Join(dir, "test.bin")}, 2, 1, 100)
}

// openCIFARSplits opens the name/train and name/test splits (openCIFAR),
// closing the first again when the second fails.
func openCIFARSplits(name string, trainPaths, testPaths []string, labelBytes, labelOff, classes int) (train, test Dataset, err error) {
	train, err = openCIFAR(name+"/train", trainPaths, labelBytes, labelOff, classes)
	if err != nil {
		return nil, nil, err
	}
	test, err = openCIFAR(name+"/test", testPaths, labelBytes, labelOff, classes)
	if err != nil {
		train.Close()
		return nil, nil, err
	}
	return train, test, nil
}

func openCIFAR(name string, paths []string, labelBytes, labelOff, classes int) (Dataset, error) {
	rs, err := openRecords(paths, 0, int64(labelBytes+cifarPix))
	if err != nil {
		return nil, err
	}
	lb, err := rs.readBytes(labelOff)
	if err != nil {
		rs.Close()
		return nil, err
	}
	labels := make([]int, len(lb))
	for i, l := range lb {
		if int(l) >= classes {
			k, j := rs.locate(i)
			rs.Close()
			return nil, fmt.Errorf("data: %s: record %d: label %d out of range [0, %d) (wrong format or corrupt file?)",
				rs.names[k], j, l, classes)
		}
		labels[i] = int(l)
	}
	return &recordDataset{name: name, c: 3, h: 32, w: 32, classes: classes, labels: labels,
		rs: rs, pixOff: labelBytes}, nil
}
