package train

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/simclr/data"
)

// writeToyData writes a labelled 16x16 gray IDX dataset (train n, test
// nTest images, 4 classes) into a new directory: each class is a bar at
// its own orientation / position with random shifts and noise, so the
// classes are separable and the contrastive task is learnable in a few
// steps.
func writeToyData(t *testing.T, n, nTest int) string {
	t.Helper()
	dir := t.TempDir()
	const s = 16
	gen := func(n int, seed uint64) ([]byte, []byte) {
		rng := rand.New(rand.NewPCG(seed, 7))
		pix := make([]byte, n*s*s)
		labels := make([]byte, n)
		for i := 0; i < n; i++ {
			c := i % 4
			labels[i] = byte(c)
			dx, dy := rng.IntN(5)-2, rng.IntN(5)-2
			img := pix[i*s*s : (i+1)*s*s]
			for y := 0; y < s; y++ {
				for x := 0; x < s; x++ {
					v := 30 + rng.IntN(40)
					xx, yy := x-dx, y-dy
					on := false
					switch c {
					case 0:
						on = yy >= 6 && yy < 10 // horizontal bar
					case 1:
						on = xx >= 6 && xx < 10 // vertical bar
					case 2:
						on = xx-yy >= -2 && xx-yy < 2 // diagonal
					case 3:
						on = (xx/4+yy/4)%2 == 0 // checker
					}
					if on {
						v = 200 + rng.IntN(55)
					}
					img[y*s+x] = byte(v)
				}
			}
		}
		return pix, labels
	}
	pix, lab := gen(n, 1)
	if err := data.WriteIDX(filepath.Join(dir, "train-images-idx3-ubyte"), filepath.Join(dir, "train-labels-idx1-ubyte"), n, s, s, pix, lab); err != nil {
		t.Fatal(err)
	}
	pix, lab = gen(nTest, 2)
	if err := data.WriteIDX(filepath.Join(dir, "t10k-images-idx3-ubyte"), filepath.Join(dir, "t10k-labels-idx1-ubyte"), nTest, s, s, pix, lab); err != nil {
		t.Fatal(err)
	}
	return dir
}

// toyConfig is a tiny run on the toy data: ResNet-18 at width 1/16 (4 base
// channels), batch 16 (n/16 steps per epoch), at most 2 workers.
func toyConfig(t *testing.T, dataDir string) Config {
	cfg := Defaults()
	cfg.Data = dataDir
	cfg.Out = filepath.Join(t.TempDir(), "run")
	cfg.Width = 1.0 / 16
	cfg.ProjDims = []int{0, 32}
	cfg.BatchSize = 16
	cfg.Epochs = 2
	cfg.Subset = 0
	cfg.KNNBank = 0
	cfg.KNNSubset = 0
	cfg.KNNK = 20
	cfg.WarmupEpochs = 0.5
	cfg.Workers = 2
	return cfg
}

func newCPU() engine.Backend { return cpu.New(cpu.Options{}) }

// runToy runs cfg on a fresh CPU backend, logging to the test.
func runToy(t *testing.T, ctx context.Context, cfg Config, opt Options) (*Result, string, error) {
	t.Helper()
	return runToyOn(t, ctx, newCPU(), cfg, opt)
}

// runToyOn is runToy on b (closed afterwards).
func runToyOn(t *testing.T, ctx context.Context, b engine.Backend, cfg Config, opt Options) (*Result, string, error) {
	t.Helper()
	defer b.Close()
	var log bytes.Buffer
	opt.Log = &log
	res, err := Run(ctx, b, cfg, opt)
	t.Logf("run log:\n%s", log.String())
	return res, log.String(), err
}

// trainedToy runs toyConfig on 32 toy images (2 steps an epoch) for epochs
// epochs and returns the configuration; its Out holds the run.
func trainedToy(t *testing.T, epochs int) Config {
	t.Helper()
	cfg := toyConfig(t, writeToyData(t, 32, 16))
	cfg.Epochs = epochs
	if _, _, err := runToy(t, context.Background(), cfg, Options{}); err != nil {
		t.Fatal(err)
	}
	return cfg
}
