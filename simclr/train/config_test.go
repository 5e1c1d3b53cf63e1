package train

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// parse runs the command's flag handling: Bind, a --backend flag like the
// command's, Parse, Resolve.
func parse(t *testing.T, args ...string) (Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("train", pflag.ContinueOnError)
	cfg := Defaults()
	Bind(fs, &cfg)
	fs.String("backend", "auto", "")
	fs.String("device", "", "")
	fs.String("coopmat", "off", "")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	_, err := Resolve(fs, &cfg)
	return cfg, err
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cfg.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigFileAndFlags: --config sets any flag (keys with - or _),
// explicit flags override it, and unknown keys or bad values are errors.
func TestConfigFileAndFlags(t *testing.T) {
	p := writeFile(t, `{"epochs": 7, "batch_size": 32, "proj-dims": [64, 32], "lr": 0.5, "optimizer": "sgd",
		"drop-last": false, "seed": 9, "backend": "cpu", "out": "somewhere"}`)
	cfg, err := parse(t, "--config", p, "--epochs", "3", "--out", "here")
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
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
		if _, err := parse(t, "--config", writeFile(t, bad.body)); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("config %s: err = %v, want one mentioning %s", bad.body, err, bad.msg)
		}
	}
}

// TestConfigJSONRoundTrip: DIR/config.json given back with --config gives
// the same configuration.
func TestConfigJSONRoundTrip(t *testing.T) {
	c := Defaults()
	c.Width, c.ProjDims, c.Epochs, c.Blur, c.MaxSteps, c.Backend, c.CoopMat = 0.5, []int{256, 64}, 11, "off", 123, "vulkan", "on"
	p := writeFile(t, string(c.JSON()))
	got, err := parse(t, "--config", p)
	if err != nil {
		t.Fatal(err)
	}
	c.ConfigFile = p
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip:\ngot  %+v\nwant %+v", got, c)
	}
}

// TestResumeTakesCheckpointConfig: with --resume, flags not given take the
// checkpoint's recorded values; given flags override them.
func TestResumeTakesCheckpointConfig(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	cfg := toyConfig(t, dir)
	cfg.Epochs = 1
	if _, _, err := runToy(t, context.Background(), cfg, Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := parse(t, "--resume", cfg.Out, "--epochs", "4")
	if err != nil {
		t.Fatal(err)
	}
	want := cfg
	want.Resume, want.Epochs, want.Backend, want.CoopMat = cfg.Out, 4, "auto", "off" // the toy run recorded neither: the flag defaults
	want.ImageSize, want.Stem = 16, "cifar"                                          // resolved from the data and recorded
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if _, err := parse(t, "--resume", filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("missing checkpoint: err = %v", err)
	}
}
