package augment

import (
	"io"
	"testing"
)

// TestLoaderDeviceViews: a DeviceViews loader yields no Views but the
// images and Params whose Apply is bit-identical to the rendering loader's
// views, batch by batch (short last batch, one and two views, a shard).
func TestLoaderDeviceViews(t *testing.T) {
	ds := newMemDS(11, 3, 20, 17)
	aug := DefaultConfig(12)
	aug.Blur, aug.SolarizeP, aug.NoiseStd = BlurOn, 0.5, 0.1
	for _, cfg := range []LoaderConfig{
		{BatchSize: 4, Seed: 5, Epoch: 1, Shuffle: true, Aug: aug, Workers: 3},
		{BatchSize: 4, Seed: 6, Views: 1, Aug: aug, Workers: 2},
		{BatchSize: 4, Seed: 7, Shuffle: true, DropLast: true, Shards: 2, Shard: 1, Aug: aug},
	} {
		want := loadAll(t, ds, cfg)
		cfg.DeviceViews = true
		l, err := NewLoader(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		vsize := 3 * 12 * 12
		view := make([]float32, vsize)
		for k := 0; ; k++ {
			b, err := l.Next()
			if err == io.EOF {
				if k != len(want) {
					t.Errorf("%+v: %d batches, want %d", cfg, k, len(want))
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			w := want[k]
			views := len(w.Views) / (w.N * vsize)
			if b.Views != nil || b.N != w.N || len(b.Images) != b.N || len(b.Params) != views*b.N {
				t.Fatalf("%+v batch %d: N %d (want %d), %d views, %d images, %d params", cfg, k, b.N, w.N, len(b.Views), len(b.Images), len(b.Params))
			}
			for row, p := range b.Params {
				i := row % b.N
				if b.Index[i] != w.Index[i] {
					t.Fatalf("batch %d image %d: index %d, want %d", k, i, b.Index[i], w.Index[i])
				}
				Apply(view, b.Images[i], p, cfg.Aug)
				if !equal(view, w.Views[row*vsize:(row+1)*vsize]) {
					t.Fatalf("%+v batch %d row %d: Apply(Params) differs from the rendered view", cfg, k, row)
				}
			}
		}
		l.Close()
	}
}
