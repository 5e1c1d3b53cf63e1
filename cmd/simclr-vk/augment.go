package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"simclr-vk/internal/atomicfile"
	"simclr-vk/internal/bound"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/train"
)

// Limits of the grid (an RGBA image in memory, then a PNG).
const (
	maxGridRows   = 1024
	maxGridViews  = 64
	maxGridScale  = 64
	maxGridPixels = 1 << 28
)

func runAugment(args []string) error {
	fs := newFlags("augment")
	dataSpec, format := addDataFlags(fs, data.DefaultName, "dataset path or name (fashion-mnist, mnist, a .svk file)")
	size := fs.Int("image-size", 0, "view size in pixels (0: the dataset's image side); also resizes image folders (torchvision Resize + CenterCrop, the eval transform)")
	n := fs.Int("n", 8, "images (grid rows)")
	views := fs.Int("views", 4, "views per image (grid columns after the original)")
	seed := fs.Uint64("seed", 1, "random seed")
	strength := fs.Float64("jitter-strength", 1.0, "colour jitter strength s (0.5 for CIFAR-10)")
	blur := fs.String("blur", "auto", "Gaussian blur: auto (on above 32 px), on, off")
	scale := fs.Int("scale", 0, "pixel magnification in the grid (0: enough for 96 px cells)")
	out := fs.String("out", "augment.png", "output PNG path")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := bound.Check(
		bound.Int("image-size", int64(*size), 0, train.MaxImageSide),
		bound.Int("n", int64(*n), 1, maxGridRows),
		bound.Int("views", int64(*views), 1, maxGridViews),
		bound.Float("jitter-strength", *strength, 0, train.MaxJitter, false),
		bound.Int("scale", int64(*scale), 0, maxGridScale),
		prepareOut("out", *out)); err != nil {
		return err
	}
	if err := checkOutputs([]ioPath{{"out", *out}}, ioPath{"data", *dataSpec}); err != nil {
		return err
	}
	train, test, err := data.Open(*dataSpec, data.Options{Format: *format, ImageSize: *size})
	if err != nil {
		return err
	}
	defer train.Close()
	if test != nil {
		defer test.Close()
	}
	c, h, w := train.Shape()
	if *size == 0 {
		*size = min(h, w)
	}
	cfg := augment.DefaultConfig(*size)
	cfg.JitterStrength = *strength
	if cfg.Blur, err = augment.ParseBlurMode(*blur); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	k := *scale
	if k <= 0 {
		k = max(1, (96+*size-1) / *size)
	}
	rows := min(*n, train.Len())
	cols := 1 + *views
	const gap = 2
	cell := *size * k
	if px := float64(cols*(cell+gap)+gap) * float64(rows*(cell+gap)+gap); px > maxGridPixels {
		return bound.Errorf("n", "%d rows of %d views of %dx%d px magnified %dx make a %.3g-pixel grid, more than the limit of %d pixels: use smaller --n, --views, --scale or --image-size",
			rows, *views, *size, *size, k, px, maxGridPixels)
	}
	grid := image.NewRGBA(image.Rect(0, 0, cols*(cell+gap)+gap, rows*(cell+gap)+gap))
	for i := range grid.Pix {
		grid.Pix[i] = 255 // white background and gaps
	}
	buf := make([]float32, c**size**size)
	for r := 0; r < rows; r++ {
		img, err := train.Image(r)
		if err != nil {
			return err
		}
		for col := 0; col < cols; col++ {
			if col == 0 {
				augment.EvalView(buf, img, cfg)
			} else {
				augment.View(buf, img, cfg, augment.ViewRNG(*seed, 0, r, col-1))
			}
			drawCell(grid, buf, c, *size, k, gap+col*(cell+gap), gap+r*(cell+gap))
		}
	}
	if err := mkdirFor(*out); err != nil {
		return err
	}
	if err := atomicfile.Write(*out, func(w io.Writer) error { return png.Encode(w, grid) }); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Printf("%s: %d images of %s, original + %d views each at %dx%d (blur %v, jitter s %g), %dx magnified\n",
		*out, rows, train.Name(), *views, *size, *size, cfg.BlurEnabled(), cfg.JitterStrength, k)
	return nil
}

// drawCell paints a CHW [0, 1] view (c = 1 or 3) magnified k times at x0, y0.
func drawCell(dst *image.RGBA, v []float32, c, s, k, x0, y0 int) {
	q := func(f float32) uint8 { return uint8(min(max(f, 0), 1)*255 + 0.5) }
	for y := 0; y < s*k; y++ {
		for x := 0; x < s*k; x++ {
			i := (y/k)*s + x/k
			r := q(v[i])
			g, b := r, r
			if c == 3 {
				g, b = q(v[s*s+i]), q(v[2*s*s+i])
			}
			dst.SetRGBA(x0+x, y0+y, color.RGBA{r, g, b, 255})
		}
	}
}
