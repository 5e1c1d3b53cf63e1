package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
)

func main() {
	dir := flag.String("data", "", "image folder to read")
	imageSize := flag.Int("image-size", 0, "resize and centre-crop images to this size on load (0: full size)")
	size := flag.Int("size", 224, "view size")
	workers := flag.Int("workers", 2, "augmenting goroutines")
	batch := flag.Int("batch-size", 32, "images per batch (two views each)")
	epochs := flag.Int("epochs", 3, "epochs read; the first is warm-up")
	memory := flag.Bool("memory", false, "decode every image once, then serve them from memory")
	asJSON := flag.Bool("json", false, "print one JSON line")
	flag.Parse()
	var err error
	switch {
	case *dir != "":
		err = run(*dir, *imageSize, *size, *workers, *batch, *epochs, *memory, *asJSON)
	default:
		err = errors.New("give -data DIR (an image folder: go run ./tools/mkjpegs -out DIR makes one)")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "augbench:", err)
		os.Exit(1)
	}
}

// memDataset serves the images of a dataset decoded once.
type memDataset struct {
	data.Dataset
	imgs []data.Image
}

func (m *memDataset) Image(i int) (data.Image, error) { return m.imgs[i], nil }

type result struct {
	Tool        string  `json:"tool"`
	Source      string  `json:"source"`
	Images      int     `json:"images"`
	Seconds     float64 `json:"seconds"`
	ImagesPerS  float64 `json:"images_per_s"`
	ViewsPerS   float64 `json:"views_per_s"`
	Size        int     `json:"size"`
	ImageSize   int     `json:"image_size"`
	Workers     int     `json:"workers"`
	BatchSize   int     `json:"batch_size"`
	CPUPerImage float64 `json:"cpu_ms_per_image"`
	WaitSeconds float64 `json:"consumer_wait_s"`
}

// cpuTime is the process's user + system CPU time (every goroutine).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func run(dir string, imageSize, size, workers, batch, epochs int, memory, asJSON bool) error {
	if size < 1 || size > 4096 || workers < 1 || workers > 256 || batch < 1 || batch > 4096 || epochs < 2 || epochs > 1000 {
		return fmt.Errorf("need 1 <= -size <= 4096, 1 <= -workers <= 256, 1 <= -batch-size <= 4096, 2 <= -epochs <= 1000")
	}
	ds, test, err := data.Open(dir, data.Options{Format: "folder", ImageSize: imageSize})
	if err != nil {
		return err
	}
	defer ds.Close()
	if test != nil {
		defer test.Close()
	}
	source := "folder"
	if memory {
		m := &memDataset{Dataset: ds}
		for i := range ds.Len() {
			im, err := ds.Image(i)
			if err != nil {
				return err
			}
			m.imgs = append(m.imgs, im)
		}
		ds, source = m, "memory"
	}
	cfg := augment.LoaderConfig{BatchSize: batch, Seed: 1, Shuffle: true, Workers: workers, Aug: augment.DefaultConfig(size)}
	images := 0
	var t0 time.Time
	var c0, wait time.Duration
	for e := range epochs {
		if e == 1 {
			t0, c0 = time.Now(), cpuTime()
		}
		cfg.Epoch = e
		l, err := augment.NewLoader(ds, cfg)
		if err != nil {
			return err
		}
		for {
			b, err := l.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				l.Close()
				return err
			}
			if e >= 1 {
				images += b.N
			}
		}
		if e >= 1 {
			wait += l.WaitTime()
		}
		l.Close()
	}
	dt := time.Since(t0).Seconds()
	cpu := float64(cpuTime()-c0) / 1e6 / float64(images)
	r := result{"simclr-vk", source, images, dt, float64(images) / dt, 2 * float64(images) / dt, size, imageSize, workers, batch, cpu, wait.Seconds()}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	fmt.Printf("simclr-vk (%s, image size %d): %d images (%d views) in %.2f s: %.1f images/s, %.2f CPU ms per image, %d workers, batch %d\n",
		source, imageSize, images, 2*images, dt, r.ImagesPerS, cpu, workers, batch)
	return nil
}
