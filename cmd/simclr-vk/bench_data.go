package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"time"

	"simclr-vk/engine"
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
	Augment    string  `json:"augment"` // cpu or gpu (--augment auto resolved)
	DecodeIPS  float64 `json:"read_decode_images_per_s"`
	AugmentIPS float64 `json:"augment_images_per_s"` // two views per image
	LoaderIPS  float64 `json:"loader_images_per_s"`  // the training Loader, end to end
	AugmentVPS float64 `json:"augment_views_per_s"`
	LoaderVPS  float64 `json:"loader_views_per_s"`
	// LoaderCores is the process's CPU time (all threads, user + system)
	// per second of the loader stage; LoaderCPUms the CPU time per image.
	LoaderCores float64 `json:"loader_cpu_cores"`
	LoaderCPUms float64 `json:"loader_cpu_ms_per_image"`
	// Backend and Device render the views with --augment gpu.
	Backend string `json:"backend,omitempty"`
	Device  string `json:"device,omitempty"`
}

// benchDataOptions are test hooks of bench data.
type benchDataOptions struct {
	// opened, when set, sees the backend that --augment gpu/auto opened
	// and returns the one to use (a test wraps it).
	opened func(engine.Backend) engine.Backend
}

// benchHeld is how many decoded images the augment stage cycles through.
const benchHeld = 64

func runBenchData(args []string) error { return benchData(args, benchDataOptions{}) }

func benchData(args []string, opt benchDataOptions) error {
	fs := newFlags("bench data")
	bf := addBackendFlags(fs, "auto")
	dataSpec, format := addDataFlags(fs, data.DefaultName, "dataset path or name (a .svk file, an image folder, ...)")
	res := dataResult{Bench: "data", Cores: runtime.NumCPU()}
	fs.IntVar(&res.ImageSize, "image-size", 224, "view side in pixels; image folders are read at each image's own size and the views cropped from the originals, as train does")
	fs.IntVar(&res.Workers, "workers", 0, "goroutines of every stage (0: all cores)")
	fs.IntVar(&res.Batch, "batch", 64, "images per training batch (the loader stage)")
	fs.IntVar(&res.Images, "images", 256, "images read per pass (0: all of the training split)")
	fs.IntVar(&res.Repeats, "repeat", 3, "passes per stage; the median is reported")
	fs.StringVar(&res.Augment, "augment", train.AugmentAuto, "which augmentation path to measure: cpu (the loader's workers), gpu (the Vulkan device, as train --augment-on gpu) or auto (gpu on a Vulkan GPU, else cpu, as train's default)")
	asJSON := fs.Bool("json", false, "print the result as one JSON line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch res.Augment {
	case train.AugmentCPU, train.AugmentGPU, train.AugmentAuto:
	default:
		return bound.Errorf("augment", "%q: want auto, gpu or cpu", res.Augment)
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
	va, b, done, err := openAugmenter(bf, &res, sub, cfg, opt)
	if err != nil {
		return err
	}
	defer done()
	var held []data.Image
	if res.DecodeIPS, _, err = rate(res.Repeats, n, func() (err error) {
		held, err = decodeAll(sub, workers)
		return err
	}); err != nil {
		return err
	}
	augmentPass := func() error { augmentAll(held, n, cfg, workers); return nil }
	if va != nil {
		augmentPass = deviceAugmentPass(b, va, held, n, res.Batch, cfg)
	}
	if res.AugmentIPS, _, err = rate(res.Repeats, n, augmentPass); err != nil {
		return err
	}
	held = nil
	epoch := 0
	if res.LoaderIPS, res.LoaderCores, err = rate(res.Repeats, n, func() error {
		epoch++
		lc := augment.LoaderConfig{BatchSize: res.Batch, Seed: 1, Epoch: epoch, Shuffle: true, Workers: workers, Aug: cfg, DeviceViews: va != nil}
		return loaderEpoch(sub, lc, b, va)
	}); err != nil {
		return err
	}
	res.AugmentVPS, res.LoaderVPS = 2*res.AugmentIPS, 2*res.LoaderIPS
	res.LoaderCPUms = 1e3 * res.LoaderCores / res.LoaderIPS
	if *asJSON {
		out, _ := json.Marshal(res) // one line, as every bench prints (gpucheck.sh collects the lines)
		fmt.Println(string(out))
		return nil
	}
	printBenchData(res)
	return nil
}

// printBenchData prints res for people.
func printBenchData(res dataResult) {
	vary, where := "", "CPU augmentation"
	if res.SizesVary {
		vary = ", sizes vary: nominal"
	}
	if res.Augment == train.AugmentGPU {
		where = fmt.Sprintf("views rendered on %s (%s), uint8 upload included", res.Backend, res.Device)
	}
	fmt.Printf("bench data: %s, %d images (%s%s), views %dx%d, %d workers on %d cores, %s, median of %d passes\n",
		res.Data, res.Images, res.Shape, vary, res.ImageSize, res.ImageSize, res.Workers, res.Cores, where, res.Repeats)
	fmt.Printf("  %-34s %10.1f images/s\n", "read/decode", res.DecodeIPS)
	fmt.Printf("  %-34s %10.1f images/s %10.1f views/s\n", "augment (2 views, decoded images)", res.AugmentIPS, res.AugmentVPS)
	fmt.Printf("  %-34s %10.1f images/s %10.1f views/s, CPU %.2f cores (%.2f ms per image)\n",
		fmt.Sprintf("loader (whole pipeline, batch %d)", res.Batch), res.LoaderIPS, res.LoaderVPS, res.LoaderCores, res.LoaderCPUms)
}

// rate runs pass repeats times and returns images per second of the
// median pass and the median of the passes' process CPU time per second
// (cores busy: all threads, the device driver's included).
func rate(repeats, images int, pass func() error) (ips, cores float64, err error) {
	var secs, busy []float64
	for range repeats {
		t0, c0 := time.Now(), cpuTime()
		if err := pass(); err != nil {
			return 0, 0, err
		}
		dt := time.Since(t0).Seconds()
		secs, busy = append(secs, dt), append(busy, (cpuTime()-c0).Seconds()/dt)
	}
	return float64(images) / median(secs), median(busy), nil
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
