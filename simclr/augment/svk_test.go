package augment

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"simclr-vk/simclr/data"
)

// TestLoaderMixedSizes runs the training and eval loaders on a .svk file of
// images of several sizes: every batch has the fixed view shape, each
// training view is the crop of the stored image (not of a pre-resized
// square) that View draws for it, and each eval view is EvalView.
func TestLoaderMixedSizes(t *testing.T) {
	src := &memDS{bad: -1}
	for i, s := range [][2]int{{20, 14}, {9, 30}, {12, 12}, {7, 16}, {25, 10}} {
		src.imgs = append(src.imgs, randImage(uint64(i), 3, s[0], s[1]))
	}
	path := filepath.Join(t.TempDir(), "m.svk")
	if err := data.WriteSVK(context.Background(), path, src, nil, data.SVKOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	ds, _, err := data.Open(path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if !data.VariesInSize(ds) {
		t.Fatal("mixed-size .svk does not say its sizes vary")
	}
	const size = 8
	cfg := DefaultConfig(size)
	bs := loadAll(t, ds, LoaderConfig{BatchSize: 2, Seed: 3, Epoch: 1, Workers: 3, Aug: cfg})
	want := make([]float32, 3*size*size)
	if len(bs) != 3 {
		t.Fatalf("%d batches, want 3", len(bs))
	}
	for _, b := range bs {
		if b.C != 3 || b.H != size || b.W != size || len(b.Views) != 2*b.N*3*size*size {
			t.Fatalf("batch %d: %dx%dx%d with %d values for %d images", b.Number, b.C, b.H, b.W, len(b.Views), b.N)
		}
		for i, idx := range b.Index {
			for v := range 2 {
				View(want, src.imgs[idx], cfg, ViewRNG(3, 1, idx, v))
				row := v*b.N + i
				if got := b.Views[row*len(want) : (row+1)*len(want)]; !slices.Equal(got, want) {
					t.Fatalf("image %d view %d differs from View of the stored %dx%d image", idx, v, src.imgs[idx].H, src.imgs[idx].W)
				}
			}
		}
	}
	// The device path (train --augment-on gpu) gets each stored image, at
	// its size, and the Params of the same views.
	dl, err := NewLoader(ds, LoaderConfig{BatchSize: 2, Seed: 3, Epoch: 1, Workers: 3, Aug: cfg, DeviceViews: true})
	if err != nil {
		t.Fatal(err)
	}
	batches := 0
	for b, err := dl.Next(); err != io.EOF; b, err = dl.Next() {
		if err != nil {
			t.Fatal(err)
		}
		batches++
		for row, p := range b.Params {
			i, v := row%b.N, row/b.N
			im, src := b.Images[i], src.imgs[b.Index[i]]
			got := make([]float32, len(want))
			Apply(got, im, p, cfg)
			View(want, src, cfg, ViewRNG(3, 1, b.Index[i], v))
			if im.H != src.H || im.W != src.W || !slices.Equal(got, want) {
				t.Fatalf("device batch %d row %d: image %dx%d (stored %dx%d) or its view differs", b.Number, row, im.H, im.W, src.H, src.W)
			}
		}
	}
	dl.Close()
	if batches != 3 {
		t.Fatalf("device loader: %d batches, want 3", batches)
	}
	l, err := NewEvalLoader(ds, EvalConfig{BatchSize: 4, Size: size, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	bs = collect(t, l)
	if len(bs) != 2 || bs[1].N != 1 {
		t.Fatalf("eval: %d batches", len(bs))
	}
	for _, b := range bs {
		for i, idx := range b.Index {
			EvalView(want, src.imgs[idx], cfg)
			if got := b.Views[i*len(want) : (i+1)*len(want)]; b.H != size || !slices.Equal(got, want) {
				t.Fatalf("eval image %d differs from EvalView", idx)
			}
		}
	}
	// EvalView is torchvision's Resize + CenterCrop: a 12x12 image at 8
	// is data.ResizeShorter's 8x8, converted to [0, 1].
	r := data.ResizeShorter(src.imgs[2], size)
	EvalView(want, src.imgs[2], cfg)
	for k, p := range r.Pix {
		if d := want[k] - float32(p)/255; d > 1e-6 || d < -1e-6 {
			t.Fatalf("EvalView value %d = %g, want %g", k, want[k], float32(p)/255)
		}
	}
}
