package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "", "folder to create (train/ and test/ inside)")
	nTrain := flag.Int("train", 160, "training images")
	nTest := flag.Int("test", 40, "test images")
	classes := flag.Int("classes", 4, "class sub-folders")
	flag.Parse()
	if *out == "" || *nTrain < 0 || *nTest < 0 || *classes < 1 || *classes > 1000 || *nTrain > 1_000_000 || *nTest > 1_000_000 || *nTrain+*nTest > 1_000_000 {
		fmt.Fprintln(os.Stderr, "mkjpegs: --out is required; --train, --test >= 0 and together at most 1,000,000; --classes in [1, 1000]")
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, split := range []struct {
		name string
		n    int
	}{{"train", *nTrain}, {"test", *nTest}} {
		for i := range split.n {
			w, h := 500, 375
			if i%5 == 4 {
				w, h = h, w
			}
			dir := filepath.Join(*out, split.name, fmt.Sprintf("class%02d", i%*classes))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				fail(err)
			}
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%05d.jpg", i)))
			if err != nil {
				fail(err)
			}
			if err := jpeg.Encode(f, picture(rng, w, h), &jpeg.Options{Quality: 90}); err != nil {
				fail(err)
			}
			if err := f.Close(); err != nil {
				fail(err)
			}
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkjpegs:", err)
	os.Exit(1)
}

// picture is a gradient with a few discs and mild noise.
func picture(rng *rand.Rand, w, h int) image.Image {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	var base, dx, dy [3]float64
	for c := range 3 {
		base[c], dx[c], dy[c] = 255*rng.Float64(), rng.Float64()-0.5, rng.Float64()-0.5
	}
	type disc struct{ x, y, r float64 }
	discs := make([]disc, 3+rng.IntN(5))
	for k := range discs {
		discs[k] = disc{float64(rng.IntN(w)), float64(rng.IntN(h)), 10 + 80*rng.Float64()}
	}
	for y := range h {
		for x := range w {
			var v [3]uint8
			for c := range 3 {
				p := base[c] + dx[c]*float64(x) + dy[c]*float64(y) + 14*rng.NormFloat64()
				for k, d := range discs {
					if (float64(x)-d.x)*(float64(x)-d.x)+(float64(y)-d.y)*(float64(y)-d.y) < d.r*d.r {
						p += float64((k*53+c*97)%160) - 80
					}
				}
				v[c] = uint8(min(max(p, 0), 255))
			}
			m.SetRGBA(x, y, color.RGBA{v[0], v[1], v[2], 255})
		}
	}
	return m
}
