package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"time"

	"simclr-vk/internal/bound"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/train"
)

// dataResult is what bench data reports (--json).
type dataResult struct {
	Bench      string  `json:"bench"`
	Data       string  `json:"data"`
	Images     int     `json:"images"`
	Shape      string  `json:"shape"` // C x H x W, or the nominal size where sizes vary
	SizesVary  bool    `json:"sizes_vary"`
	ImageSize  int     `json:"image_size"`
	Workers    int     `json:"workers"`
	Cores      int     `json:"cores"`
	Batch      int     `json:"batch"`
	Repeats    int     `json:"repeats"`
	Augment    string  `json:"augment"`
	DecodeIPS  float64 `json:"read_decode_images_per_s"`
	AugmentIPS float64 `json:"augment_images_per_s"` // two views per image
	LoaderIPS  float64 `json:"loader_images_per_s"`  // the training Loader, end to end
}

// benchHeld is how many decoded images the augment stage cycles through.
const benchHeld = 64

func runBenchData(args []string) error {
	fs := newFlags("bench data")
	dataSpec, format := addDataFlags(fs, data.DefaultName, "dataset path or name (a .svk file, an image folder, ...)")
	res := dataResult{Bench: "data", Cores: runtime.NumCPU()}
	fs.IntVar(&res.ImageSize, "image-size", 224, "view side in pixels; also resizes image folders, as train does")
	fs.IntVar(&res.Workers, "workers", 0, "goroutines of every stage (0: all cores)")
	fs.IntVar(&res.Batch, "batch", 64, "images per training batch (the loader stage)")
	fs.IntVar(&res.Images, "images", 256, "images read per pass (0: all of the training split)")
	fs.IntVar(&res.Repeats, "repeat", 3, "passes per stage; the median is reported")
	fs.StringVar(&res.Augment, "augment", "cpu", "which augmentation path to measure: cpu (gpu: not supported yet)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if res.Augment != "cpu" {
		if res.Augment == "gpu" {
			return bound.Errorf("augment", "--augment gpu: measuring the GPU augmentation path (train --augment-on gpu) is not supported yet; bench data measures the CPU pipeline")
		}
		return bound.Errorf("augment", "--augment %q: want cpu", res.Augment)
	}
	if err := bound.Check(
		bound.Int("image-size", int64(res.ImageSize), 1, train.MaxImageSide),
		bound.Int("workers", int64(res.Workers), 0, maxWorkers),
		bound.Int("batch", int64(res.Batch), 1, 1<<16),
		bound.Int("images", int64(res.Images), 0, 1<<30),
		bound.Int("repeat", int64(res.Repeats), 1, 100)); err != nil {
		return err
	}
	if res.Workers == 0 {
		res.Workers = res.Cores
	}
	ds, test, err := data.Open(*dataSpec, data.Options{Format: *format, NativeSize: true}) // as train opens it: crops from the stored image
	if err != nil {
		return err
	}
	defer ds.Close()
	if test != nil {
		test.Close()
	}
	if res.Images == 0 || res.Images > ds.Len() {
		res.Images = ds.Len()
	}
	first := make([]int, res.Images)
	for i := range first {
		first[i] = i
	}
	sub := data.Select(ds, first, ds.Name())
	c, h, w := ds.Shape()
	res.Data, res.Shape, res.SizesVary = ds.Name(), fmt.Sprintf("%dx%dx%d", c, h, w), data.VariesInSize(ds)
	side, n, workers := res.ImageSize, res.Images, res.Workers
	if err := bound.Memory(4*2*float64(res.Batch)*float64(c*side*side)*3, 0, "the loader's batches", "batch", "image-size"); err != nil {
		return err
	}
	cfg := augment.DefaultConfig(side)
	var held []data.Image
	if res.DecodeIPS, err = rate(res.Repeats, n, func() (err error) {
		held, err = decodeAll(sub, workers)
		return err
	}); err != nil {
		return err
	}
	if res.AugmentIPS, err = rate(res.Repeats, n, func() error { augmentAll(held, n, cfg, workers); return nil }); err != nil {
		return err
	}
	held = nil
	epoch := 0
	if res.LoaderIPS, err = rate(res.Repeats, n, func() error {
		epoch++
		return loaderEpoch(sub, augment.LoaderConfig{BatchSize: res.Batch, Seed: 1, Epoch: epoch, Shuffle: true, Workers: workers, Aug: cfg})
	}); err != nil {
		return err
	}
	if *asJSON {
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Println(string(b))
		return nil
	}
	vary := ""
	if res.SizesVary {
		vary = ", sizes vary: nominal"
	}
	fmt.Printf("bench data: %s, %d images (%s%s), views %dx%d, %d workers on %d cores, CPU augmentation, median of %d passes\n",
		res.Data, n, res.Shape, vary, side, side, workers, res.Cores, res.Repeats)
	for _, r := range []struct {
		what string
		ips  float64
	}{{"read/decode", res.DecodeIPS}, {"augment (2 views, decoded images)", res.AugmentIPS},
		{fmt.Sprintf("loader (whole pipeline, batch %d)", res.Batch), res.LoaderIPS}} {
		fmt.Printf("  %-34s %10.1f images/s\n", r.what, r.ips)
	}
	return nil
}

// rate runs pass repeats times and returns images per second of the
// median pass.
func rate(repeats, images int, pass func() error) (float64, error) {
	var secs []float64
	for range repeats {
		t0 := time.Now()
		if err := pass(); err != nil {
			return 0, err
		}
		secs = append(secs, time.Since(t0).Seconds())
	}
	return float64(images) / median(secs), nil
}

// decodeAll reads every image of ds with workers goroutines and returns
// the first benchHeld of them.
func decodeAll(ds data.Dataset, workers int) ([]data.Image, error) {
	held := make([]data.Image, min(benchHeld, ds.Len()))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < ds.Len() && errs[k] == nil; i += workers {
				im, err := ds.Image(i)
				if i < len(held) {
					held[i] = im
				}
				errs[k] = err
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return held, nil
}

// augmentAll renders the two views of n images, cycling through held.
func augmentAll(held []data.Image, n int, cfg augment.Config, workers int) {
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dst := make([]float32, held[0].C*cfg.Size*cfg.Size)
			for i := k; i < n; i += workers {
				im := held[i%len(held)]
				for v := range 2 {
					augment.View(dst, im, cfg, augment.ViewRNG(1, 0, i, v))
				}
			}
		}()
	}
	wg.Wait()
}

// loaderEpoch reads one epoch of training batches.
func loaderEpoch(ds data.Dataset, cfg augment.LoaderConfig) error {
	l, err := augment.NewLoader(ds, cfg)
	if err != nil {
		return err
	}
	defer l.Close()
	for range l.NumBatches() {
		if _, err := l.Next(); err != nil {
			return err
		}
	}
	return nil
}
