package main

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/train"
)

// parseTrain runs train's flag handling (parseTrainFlags) on args.
func parseTrain(t *testing.T, args ...string) (train.Config, error) {
	t.Helper()
	cfg, _, _, err := parseTrainFlags(args)
	return cfg, err
}

// writeConfig writes a --config file holding body.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cfg.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTrainResumeConfig: with --resume, flags not given take the
// checkpoint's recorded values and given flags override them; the run
// directory is where the checkpoint is now (a copied directory is
// continued in place, a checkpoint file as --resume names its directory),
// unless --out is given.
func TestTrainResumeConfig(t *testing.T) {
	args, out := tinyTrainArgs(t)
	if err := trainWithSignals(append(args, "--epochs", "1"), make(chan os.Signal), tempOut(t), func(int) { t.Error("abort") }); err != nil {
		t.Fatal(err)
	}
	var want train.Config
	readJSON(t, filepath.Join(out, "config.json"), &want)
	cp := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(cp, os.DirFS(out)); err != nil {
		t.Fatal(err)
	}
	files, err := checkpoint.List(cp)
	if err != nil || len(files) == 0 {
		t.Fatalf("no checkpoint in the copy: %v", err)
	}
	other := filepath.Join(t.TempDir(), "other")
	for _, c := range []struct {
		args   []string
		resume string
		out    string
		epochs int
	}{
		{[]string{"--resume", out, "--epochs", "4"}, out, out, 4},
		{[]string{"--resume", cp}, cp, cp, 1},
		{[]string{"--resume", files[0]}, files[0], cp, 1},
		{[]string{"--resume", cp, "--out", other}, cp, other, 1},
	} {
		got, err := parseTrain(t, c.args...)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		w := want
		w.Resume, w.Out, w.Epochs = c.resume, c.out, c.epochs
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%v:\ngot  %+v\nwant %+v", c.args, got, w)
		}
	}
	if _, err := parseTrain(t, "--resume", filepath.Join(out, "missing")); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("missing checkpoint: err = %v", err)
	}
}

// TestTrainFlagRanges: every numeric training flag refuses NaN, infinities,
// negative, zero where zero is not a value, and huge values, with an error
// naming the flag.
func TestTrainFlagRanges(t *testing.T) {
	floats := map[string][]string{
		"width":                 {"NaN", "Inf", "-1", "0", "1e6"},
		"lr":                    {"NaN", "Inf", "-Inf", "-0.1", "0", "1e31"},
		"warmup-epochs":         {"NaN", "Inf", "-1", "1e300"},
		"weight-decay":          {"NaN", "Inf", "-1e-6", "2"},
		"momentum":              {"NaN", "Inf", "-0.1", "1", "1.5"},
		"temperature":           {"NaN", "Inf", "-1", "0", "1e-30", "1e6"},
		"color-jitter-strength": {"NaN", "Inf", "-0.5", "1e9"},
		"crop-min-scale":        {"NaN", "Inf", "0", "-0.5", "1.5"},
		"solarize-prob":         {"NaN", "Inf", "-0.1", "1.5"},
		"noise-std":             {"NaN", "Inf", "-0.1", "2"},
		"knn-t":                 {"NaN", "Inf", "0", "-1", "1e9"},
	}
	ints := map[string][]string{
		"image-size":  {"-1", "100000"},
		"batch-size":  {"-1", "0", "1", "4294967296"},
		"micro-batch": {"-1", "129", "1.5", "x", "Auto", "4294967296"},
		"precision":   {"fp16", "Mixed", "bf16", "x"},
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
				_, err := parseTrain(t, "--"+flag, v)
				if err == nil || !strings.Contains(err.Error(), "--"+flag) {
					t.Errorf("--%s %s: err = %v, want one naming --%s", flag, v, err, flag)
				}
			}
		}
	}
	if _, err := parseTrain(t); err != nil {
		t.Errorf("defaults: %v", err)
	}
	t.Logf("%d bad values refused", n)
}

// TestTrainConfigFileValues: a bad value in a --config file names the key; JSON
// types must match the flag's.
func TestTrainConfigFileValues(t *testing.T) {
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
		_, err := parseTrain(t, "--config", writeConfig(t, c.body))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("config %s: err = %v, want one containing %s", c.body, err, c.msg)
		}
	}
	// An explicit flag overriding a bad file value is that flag's error.
	if _, err := parseTrain(t, "--config", writeConfig(t, `{"lr": 0.1}`), "--lr", "-1"); err == nil || strings.Contains(err.Error(), "key") {
		t.Errorf("explicit --lr -1: %v", err)
	}
}

// TestTrainConfigFileAndFlags: --config sets any flag (keys with - or _),
// explicit flags override it, and unknown keys or bad values are errors.
func TestTrainConfigFileAndFlags(t *testing.T) {
	p := writeConfig(t, `{"epochs": 7, "batch_size": 32, "proj-dims": [64, 32], "lr": 0.5, "optimizer": "sgd",
		"drop-last": false, "seed": 9, "backend": "cpu", "out": "somewhere"}`)
	cfg, err := parseTrain(t, "--config", p, "--epochs", "3", "--out", "here")
	if err != nil {
		t.Fatal(err)
	}
	want := train.Defaults()
	want.ConfigFile = p
	want.Epochs, want.BatchSize, want.ProjDims, want.LR, want.Optimizer = 3, 32, []int{64, 32}, 0.5, "sgd"
	want.DropLast, want.Seed, want.Backend, want.Out, want.CoopMat = false, 9, "cpu", "here", "off"
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
	for _, bad := range []struct{ body, msg string }{
		{`{"epoch": 3}`, `unknown key "epoch"`},
		{`{"epochs": "three"}`, `"epochs"`},
		{`{"optimizer": "rmsprop"}`, "--optimizer"},
		{`{"proj-dims": [1]}`, "--proj-dims"},
		{`[1, 2]`, "JSON object"},
	} {
		if _, err := parseTrain(t, "--config", writeConfig(t, bad.body)); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("config %s: err = %v, want one mentioning %s", bad.body, err, bad.msg)
		}
	}
}

// TestTrainConfigJSONRoundTrip: DIR/config.json given back with --config gives
// the same configuration.
func TestTrainConfigJSONRoundTrip(t *testing.T) {
	c := train.Defaults()
	c.Width, c.ProjDims, c.Epochs, c.Blur, c.MaxSteps, c.Backend, c.CoopMat = 0.5, []int{256, 64}, 11, "off", 123, "vulkan", "on"
	p := writeConfig(t, string(c.JSON()))
	got, err := parseTrain(t, "--config", p)
	if err != nil {
		t.Fatal(err)
	}
	c.ConfigFile = p
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip:\ngot  %+v\nwant %+v", got, c)
	}
}

// FuzzTrainConfigJSON: the --config loader returns an error or a configuration
// that validates, encodes as JSON and reads back the same; it never
// panics and allocates in proportion to its input.
func FuzzTrainConfigJSON(f *testing.F) {
	f.Add([]byte(train.Defaults().JSON()))
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
func loadJSON(js []byte) (train.Config, error) {
	fs := newFlags("train")
	cfg := train.Defaults()
	bindTrainFlags(fs, &cfg)
	addBackendFlags(fs, "auto")
	if err := applyJSON(fs, js, func(string) bool { return true }, map[string]bool{}); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}
