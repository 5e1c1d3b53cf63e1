package train

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"simclr-vk/internal/runlock"
	"simclr-vk/simclr/checkpoint"
)

// dirState is every entry of a directory with its content (a link's target
// for a symbolic link).
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if e.Type()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			m[e.Name()] = "link to " + target
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = string(b)
	}
	return m
}

func sameState(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: %s changed or removed", what, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s appeared", what, k)
		}
	}
}

// TestOneRunPerDirectory: a second run started on the --out of a running
// one fails at once, naming the directory and the owner's pid, and leaves
// every file of the first as it was; the first finishes normally.
func TestOneRunPerDirectory(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	cfg := toyConfig(t, dir)
	cfg.Epochs = 1
	started, proceed := make(chan struct{}), make(chan struct{})
	type outcome struct {
		res *Result
		err error
	}
	first := make(chan outcome, 1)
	go func() {
		once := false
		res, _, err := runToy(t, context.Background(), cfg, Options{OnStep: func(StepInfo) {
			if !once {
				once = true
				close(started)
				<-proceed
			}
		}})
		first <- outcome{res, err}
	}()
	select {
	case <-started:
	case o := <-first:
		t.Fatalf("the first run ended before its first step: %v", o.err)
	}
	before := dirState(t, cfg.Out)
	_, _, err := runToy(t, context.Background(), cfg, Options{})
	after := dirState(t, cfg.Out)
	close(proceed)
	o := <-first
	if err == nil || !strings.Contains(err.Error(), cfg.Out) || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second run on the same --out: err = %v, want a refusal naming %s and pid %d", err, cfg.Out, os.Getpid())
	}
	sameState(t, "while the second run was refused", before, after)
	if o.err != nil {
		t.Fatalf("first run: %v", o.err)
	}
	ck, err := checkpoint.Load(cfg.Out)
	if err != nil || ck.Meta.GlobalStep != o.res.GlobalStep || ck.Path != o.res.Checkpoint {
		t.Errorf("first run's checkpoint: %v, %+v", err, o.res)
	}
	if _, err := os.Lstat(filepath.Join(cfg.Out, runlock.LockFile)); !os.IsNotExist(err) {
		t.Errorf("lock file left after the run: %v", err)
	}
}

// resumeIn is cfg resumed from the run directory dir and writing there, as
// the command resolves --resume dir.
func resumeIn(cfg Config, dir string) Config {
	cfg.Resume, cfg.Out = dir, dir
	return cfg
}

// TestResumeCopiedDirectory: resuming from a copy of a run directory
// writes into the copy; the original (whose path the copied config.json
// and checkpoints record) is untouched. (cmd/simclr-vk's
// TestTrainResumeConfig checks that --resume continues in place.)
func TestResumeCopiedDirectory(t *testing.T) {
	cfg := trainedToy(t, 1)
	orig := dirState(t, cfg.Out)
	cp := filepath.Join(t.TempDir(), "copy")
	if err := os.MkdirAll(cp, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range orig {
		if err := os.WriteFile(filepath.Join(cp, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rc := resumeIn(cfg, cp) // as the command resumes a copied run directory: in place
	rc.Epochs = 2
	if _, _, err := runToy(t, context.Background(), rc, Options{}); err != nil {
		t.Fatal(err)
	}
	sameState(t, "the original run directory", orig, dirState(t, cfg.Out))
	if ck, err := checkpoint.Load(cp); err != nil || ck.Meta.Epoch != 2 || filepath.Dir(ck.Path) != cp {
		t.Errorf("the copy after resuming: %v", err)
	}
}

// TestPlantedSymlinksNotFollowed: symbolic links planted under the names a
// run writes (checkpoint, latest, config.json, plot.png, metrics.jsonl)
// are replaced, never written through; a resume refuses a metrics.jsonl
// link (it appends to that file).
func TestPlantedSymlinksNotFollowed(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	cfg := toyConfig(t, dir)
	cfg.Epochs = 1 // 2 steps: checkpoint-000002.ckpt
	elsewhere := t.TempDir()
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		t.Fatal(err)
	}
	names := []string{checkpoint.FileName(2), checkpoint.LatestFile, "config.json", "plot.png", "metrics.jsonl"}
	plant := func(names ...string) {
		for _, n := range names {
			target := filepath.Join(elsewhere, n)
			if err := os.WriteFile(target, []byte("precious "+n), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(cfg.Out, n))
			if err := os.Symlink(target, filepath.Join(cfg.Out, n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	plant(names...)
	want := dirState(t, elsewhere)
	if _, _, err := runToy(t, context.Background(), cfg, Options{}); err != nil {
		t.Fatal(err)
	}
	sameState(t, "the links' targets", want, dirState(t, elsewhere))
	for _, n := range names {
		if st, err := os.Lstat(filepath.Join(cfg.Out, n)); err != nil || !st.Mode().IsRegular() {
			t.Errorf("%s after the run: %v, %v (want a regular file)", n, st, err)
		}
	}
	plant("metrics.jsonl")
	rc := resumeIn(cfg, cfg.Out)
	rc.Epochs = 2
	if _, _, err := runToy(t, context.Background(), rc, Options{}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("resume with metrics.jsonl a link: err = %v", err)
	}
	sameState(t, "the links' targets after the resume", want, dirState(t, elsewhere))
}

// TestOutInsideDataRefused: an --out that is the --data directory, lies
// below it or reaches it through a symbolic link is refused before
// anything is written there; an --out next to the data is fine.
func TestOutInsideDataRefused(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	before := dirState(t, dir)
	b := newCPU()
	defer b.Close()
	for _, out := range []string{dir, filepath.Join(dir, "runs", "a"), filepath.Join(link, "run")} {
		cfg := toyConfig(t, dir)
		cfg.Out = out
		cfg.Epochs, cfg.MaxSteps = 1, 1
		_, err := Run(context.Background(), b, cfg, Options{Log: io.Discard})
		if err == nil || !strings.Contains(err.Error(), "inside the --data directory") {
			t.Errorf("--out %s: err = %v, want a refusal", out, err)
		}
		sameState(t, "--out "+out, before, dirState(t, dir))
	}
	if err := outsideData(filepath.Join(filepath.Dir(dir), "run"), dir); err != nil {
		t.Errorf("an --out next to the data: %v", err)
	}
}

// The data line names a .svk file's --max-side and says when the views are
// larger than it.
func TestStoredNote(t *testing.T) {
	for _, c := range []struct {
		maxSide, size int
		want          string
	}{
		{256, 224, "; stored at prepare --max-side 256"},
		{96, 224, "; stored at prepare --max-side 96, below --image-size 224: views are upsampled"},
		{0, 224, "; stored at full size, prepare --max-side 0"},
	} {
		if got := storedNote(c.maxSide, c.size); got != c.want {
			t.Errorf("storedNote(%d, %d) = %q, want %q", c.maxSide, c.size, got, c.want)
		}
	}
}
