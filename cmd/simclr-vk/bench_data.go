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
	dataSpec := fs.String("data", data.DefaultName, "dataset path or name (a .svk file, an image folder, ...)")
	format := fs.String("format", "", "dataset format override: cifar10, cifar100, stl10, idx, folder, npy, svk")
	size := fs.Int("image-size", 224, "view side in pixels; also resizes image folders, as train does")
	workers := fs.Int("workers", 0, "goroutines of every stage (0: all cores)")
	batch := fs.Int("batch", 64, "images per training batch (the loader stage)")
	n := fs.Int("images", 256, "images read per pass (0: all of the training split)")
	repeats := fs.Int("repeat", 3, "passes per stage; the median is reported")
	on := fs.String("augment", "cpu", "where views are augmented: cpu (gpu: not supported yet)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *on != "cpu" {
		if *on == "gpu" {
			return bound.Errorf("augment", "--augment gpu: augmentation on the GPU is not supported yet (only the CPU pipeline is measured)")
		}
		return bound.Errorf("augment", "--augment %q: want cpu", *on)
	}
	if err := bound.Check(
		bound.Int("image-size", int64(*size), 1, train.MaxImageSide),
		bound.Int("workers", int64(*workers), 0, maxWorkers),
		bound.Int("batch", int64(*batch), 1, 1<<16),
		bound.Int("images", int64(*n), 0, 1<<30),
		bound.Int("repeat", int64(*repeats), 1, 100)); err != nil {
		return err
	}
	if *workers == 0 {
		*workers = runtime.NumCPU()
	}
	ds, test, err := data.Open(*dataSpec, data.Options{Format: *format, ImageSize: *size})
	if err != nil {
		return err
	}
	defer ds.Close()
	if test != nil {
		test.Close()
	}
	if *n == 0 || *n > ds.Len() {
		*n = ds.Len()
	}
	first := make([]int, *n)
	for i := range first {
		first[i] = i
	}
	sub := data.Select(ds, first, ds.Name())
	c, h, w := ds.Shape()
	cfg := augment.DefaultConfig(*size)
	if err := bound.Memory(4*2*float64(*batch)*float64(c**size**size)*3, 0, "the loader's batches", "batch", "image-size"); err != nil {
		return err
	}
	res := dataResult{Bench: "data", Data: ds.Name(), Images: *n, Shape: fmt.Sprintf("%dx%dx%d", c, h, w), SizesVary: data.VariesInSize(ds),
		ImageSize: *size, Workers: *workers, Cores: runtime.NumCPU(), Batch: *batch, Repeats: *repeats, Augment: *on}
	var held []data.Image
	if res.DecodeIPS, err = rate(*repeats, *n, func() error {
		imgs, err := decodeAll(sub, *workers)
		held = imgs
		return err
	}); err != nil {
		return err
	}
	if res.AugmentIPS, err = rate(*repeats, *n, func() error { augmentAll(held, *n, cfg, *workers); return nil }); err != nil {
		return err
	}
	held = nil
	epoch := 0
	if res.LoaderIPS, err = rate(*repeats, *n, func() error {
		epoch++
		return loaderEpoch(sub, augment.LoaderConfig{BatchSize: *batch, Seed: 1, Epoch: epoch, Shuffle: true, Workers: *workers, Aug: cfg})
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
		res.Data, res.Images, res.Shape, vary, *size, *size, res.Workers, res.Cores, res.Repeats)
	fmt.Printf("  %-34s %10.1f images/s\n", "read/decode", res.DecodeIPS)
	fmt.Printf("  %-34s %10.1f images/s\n", "augment (2 views, decoded images)", res.AugmentIPS)
	fmt.Printf("  %-34s %10.1f images/s\n", fmt.Sprintf("loader (whole pipeline, batch %d)", *batch), res.LoaderIPS)
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
