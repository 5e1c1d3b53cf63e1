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
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
	"simclr-vk/layers"
	"simclr-vk/simclr/data"
)

// TestAugmentOnUploadLimit: the toy images are 1 x 16x16 (256 bytes), a
// batch 16 of them. On a device whose uploads take 1000 bytes a batch goes
// up in six pieces (three images each, one the last) and two steps give the losses of one upload, bit for
// bit. On a device whose uploads take 200 bytes no image fits: --augment-on
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

	d := vulkantest.Open(t, vulkan.Options{AugmentUpload: 200})
	cfg.Out += "-small"
	var log strings.Builder
	_, err := Run(context.Background(), d, cfg, Options{Log: &log, GPU: true})
	if err == nil || !strings.Contains(err.Error(), "--augment-on") || !strings.Contains(err.Error(), "largest image (1 x 16x16, 256 B) is more than the 200 B") {
		t.Errorf("gpu with images over the upload limit: err = %v", err)
	}
	cfg.AugmentOn = AugmentAuto
	cfg.Out += "-auto"
	log.Reset()
	if _, err := Run(context.Background(), d, cfg, Options{Log: &log, GPU: true}); err != nil {
		t.Fatalf("auto with images over the upload limit: %v\n%s", err, log.String())
	}
	if s := log.String(); strings.Contains(s, "views rendered on the device") || !strings.Contains(s, "note: views rendered by the loader's workers (--augment-on auto): the largest image") {
		t.Errorf("auto with images over the upload limit: want the workers and a note:\n%s", s)
	}
}

// TestMicroBatchDeviceViews: the bytes a device holds to render the views
// (one upload of the batch's 16 images of 256 bytes, the blur's copy of
// the 32 views of 1 x 16x16 and their table: 40960 here) count against
// the --micro-batch auto budget when the views may be rendered on the
// device (gpu, or auto on a GPU, the images fitting one upload), and
// not otherwise; a budget that fits the whole batch without them gives
// chunks with them.
func TestMicroBatchDeviceViews(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 8))
	ds, _, err := data.Open(cfg.Data, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	for _, c := range []struct {
		mode   string
		gpu    bool
		upload int64
		want   int64
	}{{AugmentGPU, false, 0, 40960}, {AugmentAuto, true, 0, 40960}, {AugmentAuto, false, 0, 0}, {AugmentCPU, true, 0, 0}, {AugmentAuto, true, 200, 0}} {
		r := &run{cfg: cfg, opt: Options{GPU: c.gpu}, b: vulkantest.Open(t, vulkan.Options{AugmentUpload: c.upload}), train: ds, comm: dist.Single{}}
		r.cfg.AugmentOn = c.mode
		if got := r.deviceViewBytes(); got != c.want {
			t.Errorf("--augment-on %s, GPU %v, uploads of %d bytes: %d bytes for the device's views, want %d", c.mode, c.gpu, c.upload, got, c.want)
		}
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
	chunk := func(deviceViews int64) int {
		var log strings.Builder
		if err := SetMicroBatch(m, b, cfg, 1, 16, 1<<30, deviceViews, func(f string, a ...any) { fmt.Fprintf(&log, f, a...) }); err != nil {
			t.Fatal(err)
		}
		got := re.FindStringSubmatch(log.String())
		if got == nil {
			t.Fatalf("no micro-batch line in %q", log.String())
		}
		n, _ := strconv.Atoi(got[1])
		return n
	}
	if n := chunk(0); n < 16 {
		t.Errorf("a gigabyte: chunk of %d images, want the whole batch", n)
	}
	if n := chunk(1<<30 - 3<<20); n >= 16 || n < 1 {
		t.Errorf("a gigabyte less the device's views but 3 MiB: chunk of %d images, want 1 to 15", n)
	}
}
