package train

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"simclr-vk/engine/cpu"
)

// TestFlagRanges: every numeric training flag refuses NaN, infinities,
// negative, zero where zero is not a value, and huge values, with an error
// naming the flag.
func TestFlagRanges(t *testing.T) {
	floats := map[string][]string{
		"width":                 {"NaN", "Inf", "-1", "0", "1e6"},
		"lr":                    {"NaN", "Inf", "-Inf", "-0.1", "0", "1e31"},
		"warmup-epochs":         {"NaN", "Inf", "-1", "1e300"},
		"weight-decay":          {"NaN", "Inf", "-1e-6", "2"},
		"momentum":              {"NaN", "Inf", "-0.1", "1", "1.5"},
		"temperature":           {"NaN", "Inf", "-1", "0", "1e-30", "1e6"},
		"color-jitter-strength": {"NaN", "Inf", "-0.5", "1e9"},
		"crop-min-scale":        {"NaN", "Inf", "0", "-0.5", "1.5"},
		"knn-t":                 {"NaN", "Inf", "0", "-1", "1e9"},
	}
	ints := map[string][]string{
		"image-size":  {"-1", "100000"},
		"batch-size":  {"-1", "0", "1", "4294967296"},
		"micro-batch": {"-1", "129", "1.5", "x", "Auto", "4294967296"},
		"epochs":      {"-1", "0", "10000000000"},
		"subset":      {"-1", "1000000000000"},
		"max-steps":   {"-1", "9000000000000000000"},
		"workers":     {"-1", "1000000"},
		"log-every":   {"-1", "0"},
		"knn-every":   {"-1", "1000000000"},
		"knn-k":       {"-1", "0", "1000000000000"},
		"knn-subset":  {"-1", "1000000000000"},
		"knn-bank":    {"-1", "1000000000000"},
		"save-every":  {"-1", "1000000000"},
		"keep":        {"-1", "1000000000"},
		"proj-dims":   {"-1,128", "0,0", "0,1000000000", "1000000000,128"},
	}
	n := 0
	for _, m := range []map[string][]string{floats, ints} {
		for flag, vals := range m {
			for _, v := range vals {
				n++
				_, err := parse(t, "--"+flag, v)
				if err == nil || !strings.Contains(err.Error(), "--"+flag) {
					t.Errorf("--%s %s: err = %v, want one naming --%s", flag, v, err, flag)
				}
			}
		}
	}
	if _, err := parse(t); err != nil {
		t.Errorf("defaults: %v", err)
	}
	t.Logf("%d bad values refused", n)
}

// TestConfigFileValues: a bad value in a --config file names the key; JSON
// types must match the flag's.
func TestConfigFileValues(t *testing.T) {
	for _, c := range []struct{ body, msg string }{
		{`{"lr": "Inf"}`, `key "lr": want a number, got "Inf"`},
		{`{"lr": 1e400}`, `key "lr"`},
		{`{"width": 1e6}`, `key "width": --width 1e+06: want a finite number in (0, 8]`},
		{`{"temperature": 0}`, `key "temperature"`},
		{`{"epochs": 2.5}`, `key "epochs"`},
		{`{"epochs": 99999999999999999999}`, `key "epochs"`},
		{`{"batch-size": 1}`, `key "batch-size"`},
		{`{"proj-dims": [0, 1000000000]}`, `key "proj-dims"`},
		{`{"proj-dims": 128}`, `key "proj-dims": want an array of integers`},
		{`{"proj-dims": ["a", 1]}`, `key "proj-dims": element 0: want a number`},
		{`{"data": 5}`, `key "data": want a string, got 5`},
		{`{"drop-last": "yes"}`, `key "drop-last": want a boolean`},
		{`{"seed": -1}`, `key "seed"`},
		{`{"seed": {"a": 1}}`, `key "seed": want a number`},
		{`{"knn-k": 0}`, `key "knn-k"`},
		{`{"epochs": 3`, `JSON object`},
		{``, `JSON object`},
	} {
		_, err := parse(t, "--config", writeFile(t, c.body))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("config %s: err = %v, want one containing %s", c.body, err, c.msg)
		}
	}
	// An explicit flag overriding a bad file value is that flag's error.
	if _, err := parse(t, "--config", writeFile(t, `{"lr": 0.1}`), "--lr", "-1"); err == nil || strings.Contains(err.Error(), "key") {
		t.Errorf("explicit --lr -1: %v", err)
	}
}

// TestMemoryEstimate: a batch or side that cannot fit is refused with the
// estimate and the flags; the defaults fit in a gigabyte.
func TestMemoryEstimate(t *testing.T) {
	c := Defaults()
	if err := c.checkMemory(1, 28, 1<<30); err != nil {
		t.Errorf("defaults: %v", err)
	}
	c.BatchSize = 1 << 20
	err := c.checkMemory(1, 28, 1<<30)
	if err == nil || !strings.Contains(err.Error(), "--batch-size, --image-size, --width: ") || !strings.Contains(err.Error(), "needs at least") {
		t.Errorf("batch 2^20: %v", err)
	}
	// In chunks, the activations held are a chunk's.
	c.MicroBatch = "64"
	if err := c.checkMemory(1, 28, 1<<30); err != nil {
		t.Errorf("batch 2^20 in chunks of 64: %v", err)
	}
	c.MicroBatch = "100000"
	if err := c.checkMemory(1, 28, 1<<30); err == nil || !strings.Contains(err.Error(), "--micro-batch, --image-size, --width: ") {
		t.Errorf("batch 2^20 in chunks of 100000: %v", err)
	}
	c = Defaults()
	c.Width, c.Arch = 64, "resnet50"
	if err := c.checkMemory(3, 0, 1<<30); err == nil || !strings.Contains(err.Error(), "--width") {
		t.Errorf("width 64 resnet50: %v", err)
	}
}

// TestRunRefusesBeforeWriting: a non-finite value stops Run before it
// creates --out (it used to panic writing config.json and leave a
// temporary file behind).
func TestRunRefusesBeforeWriting(t *testing.T) {
	b := cpu.New(cpu.Options{Threads: 1})
	defer b.Close()
	for _, set := range []func(*Config){
		func(c *Config) { c.LR = math.Inf(1) },
		func(c *Config) { c.Temperature = math.Inf(1) },
		func(c *Config) { c.WeightDecay = math.NaN() },
		func(c *Config) { c.Momentum = math.NaN() },
	} {
		c := Defaults()
		c.Out = filepath.Join(t.TempDir(), "run")
		set(&c)
		if _, err := Run(context.Background(), b, c, Options{Log: &bytes.Buffer{}}); err == nil {
			t.Errorf("%+v: no error", c)
		}
		if _, err := os.Stat(c.Out); !os.IsNotExist(err) {
			t.Errorf("--out was created: %v", err)
		}
	}
}

// FuzzConfigJSON: the --config loader returns an error or a configuration
// that validates, encodes as JSON and reads back the same; it never
// panics and allocates in proportion to its input.
func FuzzConfigJSON(f *testing.F) {
	f.Add([]byte(Defaults().JSON()))
	f.Add([]byte(`{"epochs": 7, "batch_size": 32, "proj-dims": [64, 32], "lr": 0.5, "optimizer": "sgd"}`))
	f.Add([]byte(`{"lr": "Inf", "width": 1e6}`))
	f.Fuzz(func(t *testing.T, js []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cfg, err := loadJSON(js)
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20+64*uint64(len(js)) {
			t.Errorf("%d bytes of input allocated %d bytes", len(js), grew)
		}
		if err != nil {
			return
		}
		back, err := loadJSON(cfg.JSON())
		if err != nil {
			t.Fatalf("the encoded configuration does not load: %v\n%s", err, cfg.JSON())
		}
		if !reflect.DeepEqual(back, cfg) {
			t.Fatalf("round trip:\n%+v\n%+v", cfg, back)
		}
	})
}

// loadJSON applies a --config document to the defaults and validates.
func loadJSON(js []byte) (Config, error) {
	fs := pflag.NewFlagSet("train", pflag.ContinueOnError)
	cfg := Defaults()
	Bind(fs, &cfg)
	if err := applyJSON(fs, js, func(string) bool { return true }, map[string]bool{}); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// TestRunMemoryLimit: once the data fixed the side, a model and batch
// above Options.MemoryLimit (a GPU's heap) are refused before --out is
// created; the same run fits in a gigabyte.
func TestRunMemoryLimit(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 8))
	cfg.MaxSteps = 1
	_, _, err := runToy(t, context.Background(), cfg, Options{MemoryLimit: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "--batch-size, --image-size, --width: ") || !strings.Contains(err.Error(), "16x16") {
		t.Errorf("1 MiB: %v", err)
	}
	if _, err := os.Stat(cfg.Out); !os.IsNotExist(err) {
		t.Errorf("--out was created: %v", err)
	}
	if _, _, err := runToy(t, context.Background(), cfg, Options{MemoryLimit: 1 << 30}); err != nil {
		t.Errorf("1 GiB: %v", err)
	}
}
