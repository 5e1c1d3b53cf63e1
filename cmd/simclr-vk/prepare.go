package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"simclr-vk/internal/bound"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/train"
)

// maxWorkers bounds --workers of prepare and bench data.
const maxWorkers = 1024

func runPrepare(args []string) error {
	fs := newFlags("prepare")
	dataSpec, format := addDataFlags(fs, "", "dataset to convert: an image folder (train/ and test/ give both splits) or any dataset --data takes")
	out := fs.String("out", "", "the .svk file to write (both splits in one file)")
	o := data.SVKOptions{Progress: progressBar("prepare")}
	fs.IntVar(&o.MaxSide, "max-side", 256, "store images whose shorter side is longer resized to this side, aspect kept (0: keep every size); never upscaled")
	fs.IntVar(&o.Workers, "workers", 0, "decoding goroutines (0: all cores)")
	skipBad := fs.Bool("skip-bad", false, "leave out image files that do not decode (listed on stderr)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dataSpec == "" || *out == "" {
		return bound.Errorf("out", "--data and --out are required (simclr-vk prepare --data FOLDER --out data.svk)")
	}
	if err := bound.Check(
		bound.Int("max-side", int64(o.MaxSide), 0, train.MaxImageSide),
		bound.Int("workers", int64(o.Workers), 0, maxWorkers),
		prepareOut("out", *out)); err != nil {
		return err
	}
	if !strings.HasSuffix(*out, ".svk") {
		return bound.Errorf("out", "--out %s: name the file .svk (train, eval and embed detect it by the extension or its magic)", *out)
	}
	if err := checkOutputs([]ioPath{{"out", *out}}, ioPath{"data", *dataSpec}); err != nil {
		return err
	}
	tr, te, err := data.Open(*dataSpec, data.Options{Format: *format, NativeSize: true, NativeMinSide: o.MaxSide, SkipBad: *skipBad})
	if err != nil {
		return err
	}
	defer tr.Close()
	if te != nil {
		defer te.Close()
	}
	for _, ds := range []data.Dataset{tr, te} {
		if f, ok := ds.(*data.Folder); ok && len(f.Skipped) > 0 {
			fmt.Fprintf(os.Stderr, "data: --skip-bad left out %d files of %s that do not decode:\n  %s\n", len(f.Skipped), f.Name(), strings.Join(f.Skipped, "\n  "))
		}
	}
	if err := mkdirFor(*out); err != nil {
		return err
	}
	// Ctrl-C or SIGTERM stops the write and removes the temporary file.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	if err := data.WriteSVK(ctx, *out, tr, te, o); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	c, _, _ := tr.Shape()
	splits := fmt.Sprintf("%d training images", tr.Len())
	if te != nil {
		splits += fmt.Sprintf(" + %d test images", te.Len())
	}
	fmt.Printf("wrote %s: %s of %s, %d channels, %d classes, shorter side at most %d (0: sizes kept), %s in %s\n",
		*out, splits, *dataSpec, c, tr.NumClasses(), o.MaxSide, bound.Bytes(float64(st.Size())), time.Since(start).Round(time.Millisecond))
	return nil
}
