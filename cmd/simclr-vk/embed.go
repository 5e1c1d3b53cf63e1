package main

import (
	"fmt"
	"path/filepath"

	"simclr-vk/simclr/eval"
	"simclr-vk/simclr/export"
)

func runEmbed(args []string) error {
	fs := newFlags("embed")
	mf := addModelDataFlags(fs)
	split := fs.String("split", "test", "split: train or test")
	out := fs.String("out", "features.npy", "features file, float32 (N, D)")
	labelsOut := fs.String("labels-out", "", "labels file, int64 (N) (default: labels.npy next to --out); not written for unlabelled data")
	bf := addBackendFlags(fs, "auto")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *split != "train" && *split != "test" {
		return fmt.Errorf("--split %q: want train or test", *split)
	}
	if *labelsOut == "" {
		*labelsOut = filepath.Join(filepath.Dir(*out), "labels.npy")
	}
	if samePath(*labelsOut, *out) {
		return fmt.Errorf("--labels-out and --out are the same file")
	}
	if err := mf.preflight(bf, []ioPath{{"out", *out}, {"labels-out", *labelsOut}}); err != nil {
		return err
	}
	e, err := openModelData(mf, bf, *split == "test")
	if err != nil {
		return err
	}
	defer e.close()
	ds := e.train
	if *split == "test" {
		ds = e.test
	}
	feats, labels, err := eval.Extract(e.m, ds, eval.ExtractOptions{Size: e.size, Batch: *mf.batch, Workers: *mf.workers,
		Progress: progressBar(*split)})
	if err != nil {
		return err
	}
	n, d := ds.Len(), e.m.Encoder.FeatureDim()
	if err := mkdirFor(*out); err != nil {
		return err
	}
	if err := mkdirFor(*labelsOut); err != nil {
		return err
	}
	if err := export.WriteNpyF32(*out, feats, n, d); err != nil {
		return err
	}
	fmt.Printf("wrote %s: features (%d, %d) of %s\n", *out, n, d, ds.Name())
	if ds.NumClasses() > 0 {
		l := make([]int64, n)
		for i, v := range labels {
			l[i] = int64(v)
		}
		if err := export.WriteNpyI64(*labelsOut, l, n); err != nil {
			return err
		}
		fmt.Printf("wrote %s: labels (%d), %d classes\n", *labelsOut, n, ds.NumClasses())
	}
	return nil
}
