package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
)

// tinyTrainArgs writes 24 labelled 8x8 images (and 8 test images) and
// returns flags for a seconds-long run on them.
func tinyTrainArgs(t *testing.T) (args []string, out string) {
	t.Helper()
	dir := t.TempDir()
	write := func(prefix string, n int) {
		pix := make([]byte, n*8*8)
		lab := make([]byte, n)
		for i := range pix {
			pix[i] = byte(i*37 + i/64*91)
		}
		for i := range lab {
			lab[i] = byte(i % 3)
		}
		if err := data.WriteIDX(filepath.Join(dir, prefix+"-images-idx3-ubyte"), filepath.Join(dir, prefix+"-labels-idx1-ubyte"), n, 8, 8, pix, lab); err != nil {
			t.Fatal(err)
		}
	}
	write("train", 24)
	write("t10k", 8)
	out = filepath.Join(t.TempDir(), "run")
	return []string{"--data", dir, "--out", out, "--backend", "cpu", "--width", "0.0625", "--proj-dims", "0,16",
		"--batch-size", "8", "--epochs", "2", "--subset", "0", "--knn-bank", "0", "--knn-subset", "0", "--knn-k", "5", "--workers", "1"}, out
}

func tempOut(t *testing.T) *os.File {
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readAll(t *testing.T, f *os.File) string {
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTrainSignals drives the command's signal handling: a first SIGINT
// stops with a checkpoint, exit status 130 and the resume command; the run
// resumes from it; a second signal aborts with its own status.
func TestTrainSignals(t *testing.T) {
	args, out := tinyTrainArgs(t)
	sig := make(chan os.Signal, 2)
	sig <- syscall.SIGINT // arrives before the first step: the run checkpoints where it is and stops
	stdout := tempOut(t)
	aborted := false
	err := trainWithSignals(args, sig, stdout, func(int) { aborted = true })
	if code := exitCode(err); code != 130 || !strings.Contains(fmt.Sprint(err), "resume with: simclr-vk train --resume "+out) {
		t.Fatalf("first signal: exit status %d (want 130), err %v", code, err)
	}
	log := readAll(t, stdout)
	if aborted || !strings.Contains(log, "resume with: simclr-vk train --resume "+out) {
		t.Fatalf("first signal: aborted %v, output:\n%s", aborted, log)
	}
	ck, err := checkpoint.Load(out)
	if err != nil {
		t.Fatalf("no checkpoint after the signal: %v", err)
	}
	if ck.Meta.GlobalStep >= 6 {
		t.Errorf("the run went on to step %d after the signal", ck.Meta.GlobalStep)
	}

	stdout = tempOut(t)
	if err := trainWithSignals([]string{"--resume", out}, make(chan os.Signal), stdout, func(int) { t.Error("abort without a signal") }); err != nil {
		t.Fatal(err)
	}
	log = readAll(t, stdout)
	if !strings.Contains(log, "resumed from") || !strings.Contains(log, "kNN top-1: random encoder") {
		t.Errorf("resumed run output:\n%s", log)
	}
	if ck, err = checkpoint.Load(out); err != nil || ck.Meta.Epoch != 2 || ck.Meta.GlobalStep != 6 {
		t.Errorf("after resuming: %v, epoch %d step %d; want 2 epochs, 6 steps", err, ck.Meta.Epoch, ck.Meta.GlobalStep)
	}

	args, _ = tinyTrainArgs(t)
	sig <- syscall.SIGINT
	sig <- syscall.SIGTERM
	abortCalled := make(chan int, 1)
	_ = trainWithSignals(args, sig, tempOut(t), func(code int) { abortCalled <- code })
	// The signal goroutine may still be between receiving the second signal
	// and calling abort when the run returns: wait for it, do not poll.
	select {
	case code := <-abortCalled:
		if code != 143 {
			t.Errorf("abort by SIGTERM: status %d, want 143", code)
		}
	case <-time.After(30 * time.Second):
		t.Error("a second signal did not abort")
	}
}

// TestTrainFlagErrors: bad flags and a missing dataset are errors.
func TestTrainFlagErrors(t *testing.T) {
	args, _ := tinyTrainArgs(t)
	for _, extra := range [][]string{{"--arch", "resnet7"}, {"--optimizer", "rmsprop"}, {"--data", "/nonexistent/x"}, {"stray"}} {
		if err := trainWithSignals(append(append([]string{}, args...), extra...), make(chan os.Signal), tempOut(t), func(int) {}); err == nil {
			t.Errorf("%v: no error", extra)
		}
	}
}
