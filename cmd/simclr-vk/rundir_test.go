package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
)

// TestMain lets the tests run the command itself in a child process (the
// test binary re-executed with SIMCLR_VK_TEST_MAIN=1 runs main), to see
// real signals and exit statuses.
func TestMain(m *testing.M) {
	if os.Getenv("SIMCLR_VK_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is `simclr-vk args...` running in a child process.
type child struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	stderr bytes.Buffer
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], args...)}
	c.cmd.Env = append(os.Environ(), "SIMCLR_VK_TEST_MAIN=1")
	c.cmd.Stderr = &c.stderr
	pipe, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdout = bufio.NewReader(pipe)
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill(); c.cmd.Wait() })
	return c
}

// waitLine reads the child's output up to a line starting with prefix.
func (c *child) waitLine(t *testing.T, prefix string) {
	t.Helper()
	var seen strings.Builder
	for {
		line, err := c.stdout.ReadString('\n')
		seen.WriteString(line)
		if strings.HasPrefix(line, prefix) {
			return
		}
		if err != nil {
			c.cmd.Wait()
			t.Fatalf("the child ended (%v) before a line %q; output:\n%s\nstderr:\n%s", err, prefix, seen.String(), c.stderr.String())
		}
	}
}

// wait drains the output and returns the exit status.
func (c *child) wait() (int, string) {
	rest, _ := io.ReadAll(c.stdout)
	c.cmd.Wait()
	return c.cmd.ProcessState.ExitCode(), string(rest)
}

// TestTrainSignalExitStatus: the built command stopped by SIGINT or SIGTERM
// saves, says how to resume, and exits with 130 / 143; while it runs, a
// second train, an import or a finetune into its --out is refused naming
// its pid.
func TestTrainSignalExitStatus(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		args, out := tinyTrainArgs(t)
		args = append(args, "--epochs", "100000")
		c := startChild(t, append([]string{"train"}, args...)...)
		c.waitLine(t, "training:")
		if tc.sig == syscall.SIGINT {
			// Every command that saves into a directory respects the lock
			// (the lock is taken before the inputs are read).
			from := filepath.Join(t.TempDir(), "weights.safetensors")
			for name, run := range map[string]func() error{
				"train":    func() error { return trainWithSignals(args, make(chan os.Signal), tempOut(t), func(int) {}) },
				"import":   func() error { return runImport([]string{"--from", from, "--out", out}) },
				"finetune": func() error { return runFinetune([]string{"--init-from", from, "--out", out}) },
			} {
				err := run()
				if err == nil || !strings.Contains(err.Error(), out) || !strings.Contains(err.Error(), "process "+strconv.Itoa(c.cmd.Process.Pid)) {
					t.Errorf("%s into the --out of a running train: err = %v, want a refusal naming %s and pid %d", name, err, out, c.cmd.Process.Pid)
				}
			}
		}
		if err := c.cmd.Process.Signal(tc.sig); err != nil {
			t.Fatal(err)
		}
		code, _ := c.wait()
		msg := c.stderr.String()
		if code != tc.code || !strings.Contains(msg, "after saving "+out) || !strings.Contains(msg, "resume with: simclr-vk train --resume "+out) {
			t.Errorf("%v: exit status %d (want %d), stderr:\n%s", tc.sig, code, tc.code, msg)
		}
		if _, err := checkpoint.Load(out); err != nil {
			t.Errorf("%v: no checkpoint: %v", tc.sig, err)
		}
	}
}

// logSteps reads the global steps of the step records of a metrics.jsonl,
// and the epochs of its epoch records, in file order.
func logSteps(t *testing.T, path string) (steps []int64, epochs []int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var r struct {
			Type       string `json:"type"`
			Epoch      int    `json:"epoch"`
			GlobalStep int64  `json:"global_step"`
		}
		if json.Unmarshal([]byte(line), &r) != nil {
			continue // a line torn by the kill
		}
		switch r.Type {
		case "step":
			steps = append(steps, r.GlobalStep)
		case "epoch":
			epochs = append(epochs, r.Epoch)
		}
	}
	return steps, epochs
}

// TestMetricsAfterKillAndResume: a run killed (SIGKILL) after logging
// steps that no checkpoint holds, then resumed from the last checkpoint,
// leaves a metrics.jsonl with each step and epoch once, in order.
func TestMetricsAfterKillAndResume(t *testing.T) {
	args, out := tinyTrainArgs(t) // 3 steps per epoch
	if err := trainWithSignals(append(args, "--epochs", "1"), make(chan os.Signal), tempOut(t), func(int) {}); err != nil {
		t.Fatal(err)
	}
	// Go on without saving (--save-every 0: only at the very end) and kill
	// it once it logged step 7, 4 steps past the only checkpoint.
	c := startChild(t, "train", "--resume", out, "--epochs", "100000", "--save-every", "0")
	logPath := filepath.Join(out, "metrics.jsonl")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		steps, _ := logSteps(t, logPath)
		if len(steps) > 0 && steps[len(steps)-1] >= 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the resumed run did not reach step 7; stderr:\n%s", c.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c.wait()
	if ck, err := checkpoint.Load(out); err != nil || ck.Meta.GlobalStep != 3 {
		t.Fatalf("after the kill: %v; want the step-3 checkpoint alone", err)
	}
	stdout := tempOut(t)
	if err := trainWithSignals([]string{"--resume", out, "--epochs", "3", "--save-every", "0"}, make(chan os.Signal), stdout, func(int) {}); err != nil {
		t.Fatal(err)
	}
	if log := readAll(t, stdout); !strings.Contains(log, "metrics: dropped") || !strings.Contains(log, "taking it over") {
		t.Errorf("the resumed run should report the dropped records and the stale lock; output:\n%s", log)
	}
	steps, epochs := logSteps(t, logPath)
	if fmt.Sprint(steps) != "[1 2 3 4 5 6 7 8 9]" || fmt.Sprint(epochs) != "[0 1 2 3]" {
		t.Errorf("metrics.jsonl: steps %v, epochs %v; want each once, in order", steps, epochs)
	}
}

// TestOutputsDoNotDestroyInputs: outputs naming an input file, a file
// inside an input directory or the directory of an input checkpoint are
// refused before any work, and the input is left as it was.
func TestOutputsDoNotDestroyInputs(t *testing.T) {
	dir := t.TempDir()
	ck, _ := tinyCheckpoint(t, filepath.Join(dir, "run"), tinyEnc, 8)
	runDir := filepath.Dir(ck)
	ds := filepath.Join(dir, "data")
	colourData(t, ds, 3, 8, 16, 8, false)
	stCk := filepath.Join(dir, "ck.safetensors") // a checkpoint under a .safetensors name
	link := filepath.Join(dir, "link.ckpt")      // a link to the checkpoint
	b, _ := os.ReadFile(ck)
	if err := os.WriteFile(stCk, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(ck, link); err != nil {
		t.Fatal(err)
	}
	common := []string{"--checkpoint", ck, "--data", ds, "--backend", "cpu"}
	for _, tc := range []struct {
		name string
		run  func([]string) error
		args []string
		want string
	}{
		{"export onto its checkpoint", runExport, []string{"--checkpoint", stCk, "--out", stCk}, "is the input --checkpoint"},
		{"embed onto its data", runEmbed, append(common, "--out", filepath.Join(ds, "train_images.npy")), "inside the input --data directory"},
		{"embed labels onto the data's labels", runEmbed, append(common, "--out", filepath.Join(dir, "f.npy"), "--labels-out", filepath.Join(ds, "train_labels.npy")), "--labels-out"},
		{"embed onto the checkpoint through a link", runEmbed, []string{"--checkpoint", link, "--data", ds, "--backend", "cpu", "--out", ck}, "is the input --checkpoint"},
		{"eval knn onto its checkpoint", runEvalKNN, append(common, "--out", ck), "is the input --checkpoint"},
		{"eval linear into its data", runEvalLinear, append(common, "--out", filepath.Join(ds, "test_labels.npy")), "inside the input --data directory"},
		{"augment onto its data", runAugment, []string{"--data", ds, "--out", filepath.Join(ds, "test_images.npy")}, "inside the input --data directory"},
		{"import into its source's directory", runImport, []string{"--from", ck, "--out", runDir}, "holds the input --from"},
		{"finetune into its checkpoint's directory", runFinetune, append(common, "--out", runDir), "holds the input --checkpoint"},
	} {
		before := snapshotTree(t, dir)
		err := tc.run(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
		if after := snapshotTree(t, dir); after != before {
			t.Errorf("%s: the files changed", tc.name)
		}
	}
}

// snapshotTree is every file under dir with its content.
func snapshotTree(t *testing.T, dir string) string {
	t.Helper()
	var sb strings.Builder
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		fmt.Fprintf(&sb, "%s %d %x\n", p, info.Mode(), b)
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return sb.String()
}

// TestResultIntoInputDirectory: a result file (knn.json, features.npy,
// encoder.safetensors) inside the run directory a command reads may be
// replaced (a second `eval knn --out run/knn.json` or `export --out
// run/encoder.safetensors` works), a checkpoint or "latest" there may not;
// in a --data directory no dataset or image file may be replaced.
func TestResultIntoInputDirectory(t *testing.T) {
	dir := t.TempDir()
	results := []string{"knn.json", "features.npy", "encoder.safetensors", "grid.png"}
	readByCheckpoint := []string{"checkpoint-000001.ckpt", "latest"}
	readByData := []string{"x_train.npy", "a.png", "data_batch_1.bin", "train-images-idx3-ubyte.gz"}
	for _, name := range append(append(append([]string{}, results...), readByCheckpoint...), readByData...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ck, ds := ioPath{"checkpoint", dir}, ioPath{"data", dir}
	for _, name := range results {
		if err := checkOutputs([]ioPath{{"out", filepath.Join(dir, name)}}, ck); err != nil {
			t.Errorf("%s in the run directory: %v", name, err)
		}
	}
	for _, name := range readByCheckpoint {
		if err := checkOutputs([]ioPath{{"out", filepath.Join(dir, name)}}, ck); err == nil || !strings.Contains(err.Error(), "inside the input --checkpoint") {
			t.Errorf("%s in the input --checkpoint directory: err = %v", name, err)
		}
	}
	for _, name := range append(readByData, readByCheckpoint...) {
		if err := checkOutputs([]ioPath{{"out", filepath.Join(dir, name)}}, ds); err == nil || !strings.Contains(err.Error(), "inside the input --data") {
			t.Errorf("%s in the input --data directory: err = %v", name, err)
		}
	}
}

// TestNpyLabelsAreAnInput: a single .npy --data file X.npy is read with
// X_labels.npy; an output onto that labels file is refused.
func TestNpyLabelsAreAnInput(t *testing.T) {
	dir := t.TempDir()
	images, labels := filepath.Join(dir, "x.npy"), filepath.Join(dir, "x_labels.npy")
	for _, p := range []string{images, labels} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := checkOutputs([]ioPath{{"out", labels}}, ioPath{"checkpoint", filepath.Join(dir, "run")}, ioPath{"data", images})
	if err == nil || !strings.Contains(err.Error(), "is the input --data "+labels) {
		t.Errorf("--out onto the labels of --data %s: err = %v", images, err)
	}
}

// TestSecondSaveIntoRunDirRefused: import or finetune into an --out that
// already holds a checkpoint (an earlier import) is refused before any
// work, and that checkpoint is kept byte for byte.
func TestSecondSaveIntoRunDirRefused(t *testing.T) {
	dir := t.TempDir()
	ck, _ := tinyCheckpoint(t, filepath.Join(dir, "run"), tinyEnc, 8)
	st := filepath.Join(dir, "enc.safetensors")
	if err := runExport([]string{"--checkpoint", ck, "--out", st}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "imported")
	if err := runImport([]string{"--from", st, "--out", out}); err != nil {
		t.Fatal(err)
	}
	before := snapshotTree(t, out)
	for name, run := range map[string]func() error{
		"import":   func() error { return runImport([]string{"--from", st, "--out", out, "--seed", "2"}) },
		"finetune": func() error { return runFinetune([]string{"--init-from", st, "--out", out, "--backend", "cpu"}) },
	} {
		if err := run(); err == nil || !strings.Contains(err.Error(), "already holds checkpoints (checkpoint-000000.ckpt)") {
			t.Errorf("%s into %s a second time: err = %v, want a refusal naming its checkpoint", name, out, err)
		}
		if after := snapshotTree(t, out); after != before {
			t.Errorf("%s: the first import's files changed", name)
		}
	}
}

// TestEmbedOutputsDistinct: --out and --labels-out spelled differently but
// naming one file are refused (the labels would replace the features).
func TestEmbedOutputsDistinct(t *testing.T) {
	dir := t.TempDir()
	for _, pair := range [][2]string{
		{filepath.Join(dir, "f.npy"), dir + "/./sub/../f.npy"},
		{filepath.Join(dir, "f.npy"), dir + "//f.npy"},
	} {
		err := runEmbed([]string{"--checkpoint", filepath.Join(dir, "none"), "--out", pair[0], "--labels-out", pair[1]})
		if err == nil || !strings.Contains(err.Error(), "are the same file") {
			t.Errorf("--out %s --labels-out %s: err = %v", pair[0], pair[1], err)
		}
	}
}

// TestNewFileIntoImageFolderRefused: a new file written inside a --data
// image folder (augment's grid, embed's features) is refused; one next to
// it, or a new result in an IDX --data directory or a run directory, is
// not.
func TestNewFileIntoImageFolderRefused(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "photos")
	if err := os.MkdirAll(filepath.Join(ds, "cats"), 0o755); err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ds, "cats", "a.png"), img.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	in := ioPath{"data", ds}
	for _, out := range []string{filepath.Join(ds, "grid.png"), filepath.Join(ds, "features.npy"), filepath.Join(ds, "new", "grid.png")} {
		if err := checkOutputs([]ioPath{{"out", out}}, in); err == nil || !strings.Contains(err.Error(), "would add a file to the input --data image folder") {
			t.Errorf("--out %s: err = %v", out, err)
		}
	}
	if err := checkOutputs([]ioPath{{"out", filepath.Join(dir, "grid.png")}}, in); err != nil {
		t.Errorf("--out next to the folder: %v", err)
	}
	if err := checkOutputs([]ioPath{{"out", filepath.Join(ds, "grid.png")}}, ioPath{"checkpoint", ds}); err != nil {
		t.Errorf("a new image in a --checkpoint directory: %v", err)
	}
	idx := filepath.Join(dir, "idx")
	if err := os.MkdirAll(idx, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := data.WriteIDX(filepath.Join(idx, "train-images-idx3-ubyte.gz"), filepath.Join(idx, "train-labels-idx1-ubyte.gz"), 1, 2, 2, make([]byte, 4), []byte{0}); err != nil {
		t.Fatal(err)
	}
	if err := checkOutputs([]ioPath{{"out", filepath.Join(idx, "grid.png")}}, ioPath{"data", idx}); err != nil {
		t.Errorf("a new image in an IDX --data directory: %v", err)
	}
}
