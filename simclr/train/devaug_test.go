package train

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"simclr-vk/dist"
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
	"simclr-vk/layers"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
)

// TestAugmentOnDevice: two steps of the toy run with every augmentation
// step on (blur, solarisation, noise), on one Vulkan device, in pairs
// that must give the same losses within the float32 rounding of the two
// pipelines (1e-5 relative):
//   - the views rendered on the device (--augment-on gpu) and by the
//     loader's workers (cpu), the whole batch at once;
//   - the same in micro-batch chunks of 6 of the 16 images (6, 6, 4): the
//     device renders each chunk's views when the chunked step needs them
//     (twice per chunk), the workers' batch is uploaded a chunk at a time;
//     a chunk rendering other images' views would be far off;
//   - chunks of 4 rendered on the device, and the whole batch rendered at
//     once under --bn-groups 4 (against the unchunked run the losses
//     differ by design, BN using each chunk's statistics; with the same
//     statistics they agree to the printed 7 digits on lavapipe).
//
// No warm-up, so that step 1's loss depends on step 0's gradient pass (in
// chunks, each chunk's second render). The device runs say where their
// views came from.
func TestAugmentOnDevice(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 48, 16))
	cfg.Epochs, cfg.MaxSteps = 1, 2
	cfg.WarmupEpochs = 0
	cfg.Blur, cfg.SolarizeProb, cfg.NoiseStd = "on", 0.5, 0.05
	d := vulkantest.Open(t, vulkan.Options{})
	type run struct {
		on, micro string
		groups    int
	}
	for _, pair := range [][2]run{
		{{AugmentCPU, "0", 0}, {AugmentGPU, "0", 0}},
		{{AugmentCPU, "6", 0}, {AugmentGPU, "6", 0}},
		{{AugmentGPU, "4", 0}, {AugmentGPU, "0", 4}},
	} {
		var losses [2][]float32
		for i, r := range pair {
			c := cfg
			c.AugmentOn, c.MicroBatch, c.BNGroups = r.on, r.micro, r.groups
			c.Out += fmt.Sprintf("-%s-%s-%d", r.on, r.micro, r.groups)
			var log strings.Builder
			res, err := Run(context.Background(), d, c, Options{Log: &log})
			if err != nil {
				t.Fatalf("%+v: %v\n%s", r, err, log.String())
			}
			if dev := strings.Contains(log.String(), "views rendered on the device"); dev != (r.on == AugmentGPU) {
				t.Errorf("%+v: log says views on the device: %v\n%s", r, dev, log.String())
			}
			if len(res.Losses) != 2 {
				t.Fatalf("%+v: losses %v", r, res.Losses)
			}
			losses[i] = res.Losses
		}
		for s := range 2 {
			a, b := float64(losses[0][s]), float64(losses[1][s])
			t.Logf("step %d: %+v %.7f, %+v %.7f", s+1, pair[0], a, pair[1], b)
			if math.Abs(a-b) > 1e-5*(1+math.Abs(a)) {
				t.Errorf("step %d: loss %v with %+v, %v with %+v", s+1, a, pair[0], b, pair[1])
			}
		}
	}
}

// TestAugmentOnChoice: gpu needs a backend that renders views; auto
// renders on the device only on a GPU (Options.GPU), with or without
// micro-batch chunks.
func TestAugmentOnChoice(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 16))
	cfg.MaxSteps = 1
	cfg.AugmentOn = AugmentGPU
	_, _, err := runToy(t, context.Background(), cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "--augment-on") || !strings.Contains(err.Error(), "renders no views") {
		t.Errorf("gpu on the CPU backend: err = %v", err)
	}
	cfg.AugmentOn = "tpu"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--augment-on") {
		t.Errorf("--augment-on tpu: err = %v", err)
	}

	d := vulkantest.Open(t, vulkan.Options{})
	var log strings.Builder
	for _, c := range []struct {
		mode, micro string
		gpu, want   bool
	}{{AugmentAuto, "0", false, false}, {AugmentAuto, "0", true, true}, {AugmentAuto, "4", true, true}, {AugmentGPU, "4", false, true}} {
		cfg.AugmentOn, cfg.MicroBatch = c.mode, c.micro
		cfg.Out += "x"
		log.Reset()
		if _, err := Run(context.Background(), d, cfg, Options{Log: &log, GPU: c.gpu}); err != nil {
			t.Fatalf("%s (GPU %v, micro-batch %s): %v\n%s", c.mode, c.gpu, c.micro, err, log.String())
		}
		if got := strings.Contains(log.String(), "views rendered on the device"); got != c.want {
			t.Errorf("%s with Options.GPU %v and micro-batch %s: views on the device %v, want %v", c.mode, c.gpu, c.micro, got, c.want)
		}
	}
}

// faultyViews is a Vulkan device whose rendered views are off by 1%, as a
// driver that miscompiles an augmentation kernel would give.
type faultyViews struct{ *vulkan.Device }

func (f faultyViews) AugmentViews(dst *engine.Tensor, images []engine.AugmentImage, views []engine.AugmentView) {
	f.Device.AugmentViews(dst, images, views)
	f.Device.Scale(dst, dst, 1.01)
}

// TestAugmentOnSelfCheck: views that disagree with the CPU specification
// are caught before training: --augment-on gpu fails naming the flag and
// the self-check, auto falls back to the loader's workers with a note.
func TestAugmentOnSelfCheck(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 16))
	cfg.MaxSteps = 1
	d := faultyViews{vulkantest.Open(t, vulkan.Options{})}
	refusedThenWorkers(t, d, cfg, "self-check", "self-check")
}

// refusedThenWorkers runs cfg on d (Options.GPU) with --augment-on gpu,
// which must fail before training naming the flag and errWant, then with
// auto, which must train with the loader's workers and a note holding
// noteWant.
func refusedThenWorkers(t *testing.T, d engine.Backend, cfg Config, errWant, noteWant string) {
	t.Helper()
	cfg.AugmentOn = AugmentGPU
	var log strings.Builder
	_, err := Run(context.Background(), d, cfg, Options{Log: &log, GPU: true})
	if err == nil || !strings.Contains(err.Error(), "--augment-on") || !strings.Contains(err.Error(), errWant) {
		t.Errorf("gpu: err = %v, want --augment-on and %q", err, errWant)
	}
	cfg.AugmentOn = AugmentAuto
	cfg.Out += "-auto"
	log.Reset()
	if _, err := Run(context.Background(), d, cfg, Options{Log: &log, GPU: true}); err != nil {
		t.Fatalf("auto: %v\n%s", err, log.String())
	}
	if s := log.String(); strings.Contains(s, "views rendered on the device") || !strings.Contains(s, noteWant) {
		t.Errorf("auto: want the workers and a note with %q:\n%s", noteWant, s)
	}
}

// TestAugmentOnUploadLimit: the toy images are 1 x 16x16 (256 bytes), a
// batch 16 of them. On a device whose uploads take 1000 bytes a batch goes
// up in six pieces (three images each, one the last) and two steps give
// the losses of one upload, bit for bit. On a device whose uploads take 200 bytes no image fits: --augment-on
// gpu fails before training, naming the flag and the sizes; auto (on a
// GPU) falls back to the loader's workers with a note.
func TestAugmentOnUploadLimit(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 16))
	cfg.Epochs, cfg.MaxSteps, cfg.AugmentOn = 1, 2, AugmentGPU
	var losses [2][]float32
	for i, upload := range []int64{0, 1000} {
		d := vulkantest.Open(t, vulkan.Options{AugmentUpload: upload})
		c := cfg
		c.Out += fmt.Sprint(i)
		var log strings.Builder
		res, err := Run(context.Background(), d, c, Options{Log: &log})
		if err != nil {
			t.Fatalf("uploads of %d bytes: %v\n%s", upload, err, log.String())
		}
		losses[i] = res.Losses
	}
	if len(losses[0]) != 2 || len(losses[1]) != 2 {
		t.Fatalf("losses %v", losses)
	}
	for s := range 2 {
		if math.Float32bits(losses[0][s]) != math.Float32bits(losses[1][s]) {
			t.Errorf("step %d: loss %v with one upload per batch, %v with uploads of 1000 bytes", s+1, losses[0][s], losses[1][s])
		}
	}

	cfg.Out += "-small"
	refusedThenWorkers(t, vulkantest.Open(t, vulkan.Options{AugmentUpload: 200}), cfg,
		"largest image (1 x 16x16, 256 B) is more than the 200 B", "note: views rendered by the loader's workers (--augment-on auto): the largest image")
}

// TestMicroBatchDeviceViews: the bytes a device holds to render the views
// of a chunk (one upload of the chunk's images of 256 bytes, the blur's
// copy of its views of 1 x 16x16 and their table: 40960 for the batch of
// 16, 10240 for a chunk of 4) and the bytes the host keeps for them (its
// buffer of that one packed upload: 4096, 1024) count against the
// --micro-batch auto budget when the views may be rendered on the device
// (gpu, or auto on a GPU, the images fitting one upload), and not
// otherwise; the budget counts them for the chunk it picks, not the batch.
func TestMicroBatchDeviceViews(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 8))
	ds, _, err := data.Open(cfg.Data, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	for _, c := range []struct {
		mode       string
		gpu        bool
		upload     int64
		want, host int64 // the batch's; 0: the workers render
	}{{AugmentGPU, false, 0, 40960, 4096}, {AugmentAuto, true, 0, 40960, 4096}, {AugmentAuto, false, 0, 0, 0}, {AugmentCPU, true, 0, 0, 0}, {AugmentAuto, true, 200, 0, 0}} {
		r := &run{cfg: cfg, opt: Options{GPU: c.gpu}, b: vulkantest.Open(t, vulkan.Options{AugmentUpload: c.upload}), train: ds, comm: dist.Single{}}
		r.cfg.AugmentOn = c.mode
		views := r.viewBytes()
		if (views != nil) != (c.want > 0) {
			t.Errorf("--augment-on %s, GPU %v, uploads of %d bytes: views on the device counted: %v", c.mode, c.gpu, c.upload, views != nil)
			continue
		}
		if views == nil {
			continue
		}
		if got, host := views(16); got != c.want || host != c.host {
			t.Errorf("--augment-on %s, GPU %v, uploads of %d bytes: %d bytes for the device's views of the batch and %d on the host, want %d and %d", c.mode, c.gpu, c.upload, got, host, c.want, c.host)
		}
		if got, host := views(4); got != c.want/4 || host != c.host/4 {
			t.Errorf("--augment-on %s, GPU %v, uploads of %d bytes: %d bytes for the device's views of a chunk of 4 and %d on the host, want %d and %d", c.mode, c.gpu, c.upload, got, host, c.want/4, c.host/4)
		}
	}
	// Uploads of 1024 bytes: the host's buffer holds one, not the batch.
	r := &run{cfg: cfg, opt: Options{GPU: true}, b: vulkantest.Open(t, vulkan.Options{AugmentUpload: 1024}), train: ds, comm: dist.Single{}}
	r.cfg.AugmentOn = AugmentGPU
	if _, host := r.viewBytes()(16); host != 1024 {
		t.Errorf("uploads of 1024 bytes: %d bytes on the host for the views, want 1024", host)
	}

	cfg.MicroBatch = "auto"
	b := newCPU()
	defer b.Close()
	m, err := layers.NewModel(b, cfg.modelConfig(1, 16))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	re := regexp.MustCompile(`micro-batch auto: (\d+) of this process's 16 images per chunk`)
	chunk := func(views func(n int) (device, host int64)) int {
		var log strings.Builder
		if err := SetMicroBatch(m, b, cfg, 1, 16, 1<<30, views, func(f string, a ...any) { fmt.Fprintf(&log, f, a...) }); err != nil {
			t.Fatal(err)
		}
		got := re.FindStringSubmatch(log.String())
		if got == nil {
			t.Fatalf("no micro-batch line in %q", log.String())
		}
		n, _ := strconv.Atoi(got[1])
		return n
	}
	if n := chunk(nil); n < 16 {
		t.Errorf("a gigabyte: chunk of %d images, want the whole batch", n)
	}
	if n := chunk(func(int) (int64, int64) { return 1<<30 - 3<<20, 0 }); n >= 16 || n < 1 {
		t.Errorf("a gigabyte less the device's views but 3 MiB: chunk of %d images, want 1 to 15", n)
	}
	if n := chunk(func(int) (int64, int64) { return 1 << 29, 1<<29 - 3<<20 }); n >= 16 || n < 1 {
		t.Errorf("a gigabyte less half on the device and half but 3 MiB on the host for the views: chunk of %d images, want 1 to 15", n)
	}
	// Views of 100 MiB per image: the batch's would not fit a gigabyte,
	// a chunk's do (those of 10 images, not 11).
	asked := 0
	n := chunk(func(k int) (int64, int64) {
		asked = max(asked, k)
		return int64(k) * 100 << 20, 0
	})
	if n < 1 || n > 10 || asked > 16 {
		t.Errorf("a gigabyte, views of 100 MiB per image: chunk of %d images (views asked for %d at most), want 1 to 10", n, asked)
	}
}

// TestChunkViews: a chunk's views rendered on the device from the chunk's
// images and descriptors alone (chunkViews) are the rows of the batch's
// render for those images, bit for bit: a toy batch of 16 (every
// augmentation step on) in chunks of 6, 6 and 4, rendered twice each as
// the chunked step does.
func TestChunkViews(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 8))
	cfg.Blur, cfg.SolarizeProb, cfg.NoiseStd = "on", 0.5, 0.05
	ds, _, err := data.Open(cfg.Data, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	aug, err := cfg.augConfig(16)
	if err != nil {
		t.Fatal(err)
	}
	l, err := augment.NewLoader(ds, augment.LoaderConfig{BatchSize: 16, Seed: 3, Shuffle: true, Workers: 1, Aug: aug, DeviceViews: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	bt, err := l.Next()
	if err != nil {
		t.Fatal(err)
	}
	d := vulkantest.Open(t, vulkan.Options{})
	images, views := augment.DeviceBatch(bt, aug)
	const bigN, per = 16, 16 * 16
	render := func(lo, n int) []float32 {
		x := d.New(2*n, 1, 16, 16)
		defer x.Release()
		ci, cv := chunkViews(images, views, bigN, lo, n)
		d.AugmentViews(x, ci, cv)
		out := make([]float32, x.Numel())
		if err := d.Download(x, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	whole := render(0, bigN)
	for range 2 {
		for lo := 0; lo < bigN; lo += 6 {
			n := min(6, bigN-lo)
			got := render(lo, n)
			for v := range 2 {
				for i := range n {
					g, w := got[(v*n+i)*per:(v*n+i+1)*per], whole[(v*bigN+lo+i)*per:(v*bigN+lo+i+1)*per]
					for j := range g {
						if math.Float32bits(g[j]) != math.Float32bits(w[j]) {
							t.Fatalf("chunk of images %d..%d, view %d of image %d, value %d: %v, the batch's render %v", lo, lo+n-1, v+1, lo+i, j, g[j], w[j])
						}
					}
				}
			}
		}
	}
}
