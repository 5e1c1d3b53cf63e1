package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"simclr-vk/engine"
	"simclr-vk/internal/atomicfile"
	"simclr-vk/internal/bound"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/eval"
	"simclr-vk/simclr/metrics"
	"simclr-vk/simclr/modelio"
	"simclr-vk/simclr/train"
)

// Shared by eval, finetune and embed: a model from a checkpoint, a dataset
// checked against it, and a progress bar.

// modelDataFlags are --checkpoint, --data, --format, --image-size, --batch
// and --workers.
type modelDataFlags struct {
	checkpoint, data, format  *string
	imageSize, batch, workers *int
}

func addModelDataFlags(fs *pflag.FlagSet) *modelDataFlags {
	f := &modelDataFlags{checkpoint: fs.String("checkpoint", "", "checkpoint file or directory (the newest readable one is used)")}
	f.data, f.format = addDataFlags(fs, data.DefaultName, "dataset path or name (fashion-mnist, mnist, a .svk file)")
	f.imageSize, f.batch, f.workers = fs.Int("image-size", 0, "resize (shorter side) and centre-crop images to this side (0: the size the checkpoint was trained on)"),
		fs.Int("batch", 256, "images per forward pass / training batch"),
		fs.Int("workers", 0, "data loader goroutines (0: all cores)")
	return f
}

// addDataFlags adds --data (default def) and --format.
func addDataFlags(fs *pflag.FlagSet, def, help string) (spec, format *string) {
	return fs.String("data", def, help),
		fs.String("format", "", "dataset format override: "+strings.Join(data.Formats, ", "))
}

// classifierFlags are --epochs, --lr and --seed of the commands that
// train a classifier (eval linear, finetune).
type classifierFlags struct {
	fs     *pflag.FlagSet
	epochs *int
	lr     *float64
	seed   *uint64
}

// addClassifierFlags adds them: epochs by default, a learning rate
// derived from the batch size (lrBase per 256 images) unless --lr is given.
func addClassifierFlags(fs *pflag.FlagSet, epochs int, epochsHelp string, lrBase float64, seedHelp string) *classifierFlags {
	return &classifierFlags{
		fs:     fs,
		epochs: fs.Int("epochs", epochs, epochsHelp),
		lr:     fs.Float64("lr", 0, fmt.Sprintf("peak learning rate, > 0 (left out: %g * batch / 256)", lrBase)),
		seed:   fs.Uint64("seed", 1, seedHelp),
	}
}

// check bounds --epochs and, given explicitly, --lr: its default (0)
// means "derived from the batch size", an explicit one must be a positive
// finite number.
func (f *classifierFlags) check() error {
	if err := bound.Int("epochs", int64(*f.epochs), 1, train.MaxEpochs); err != nil || !f.fs.Changed("lr") {
		return err
	}
	if err := bound.Float("lr", *f.lr, 0, train.MaxLR, true); err != nil {
		return fmt.Errorf("%w (leave --lr out for the default derived from the batch size)", err)
	}
	return nil
}

// epochProgress prints a classifier's epoch (LinearConfig and
// FineTuneConfig's Progress).
func epochProgress(epoch, epochs int, loss, lr float64) {
	fmt.Fprintf(os.Stderr, "epoch %d/%d  loss %.4f  lr %.4g\n", epoch, epochs, loss, lr)
}

// evalInput is a loaded model with its data.
type evalInput struct {
	b           engine.Backend
	m           *layers.Model
	ck          *checkpoint.Checkpoint // nil for --init-from
	cfg         layers.Config
	trainedSize int // image side recorded with the weights (0: unknown)
	train, test data.Dataset
	size        int  // image side fed to the encoder
	training    bool // the encoder is trained (finetune), not only run in eval mode
}

func (e *evalInput) close() {
	if e.m != nil {
		e.m.Release()
	}
	if e.train != nil {
		e.train.Close()
	}
	if e.test != nil {
		e.test.Close()
	}
	if e.b != nil {
		closeBackend(e.b)
	}
}

// openModel loads the checkpoint on a new backend.
func openModel(ckPath string, bf *backendFlags) (*evalInput, error) {
	if ckPath == "" {
		return nil, fmt.Errorf("--checkpoint is required")
	}
	b, err := bf.open()
	if err != nil {
		return nil, err
	}
	e := &evalInput{b: b}
	e.m, e.ck, err = modelio.FromCheckpoint(b, ckPath)
	if err != nil {
		e.close()
		return nil, err
	}
	for _, w := range e.ck.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	e.cfg, e.trainedSize, err = modelio.ParseArchImage(e.ck.Meta.Arch)
	if err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

// preflight runs, before a checkpoint or dataset is opened, the checks of
// a command that reads them (mf) and writes outs: no output replaces an
// input (checkOutputs), the shared flags and more are in range, and every
// output could be written (prepareOut).
func (f *modelDataFlags) preflight(bf *backendFlags, outs []ioPath, more ...error) error {
	if err := checkOutputs(outs, ioPath{"checkpoint", *f.checkpoint}, ioPath{"data", *f.data}); err != nil {
		return err
	}
	errs := append([]error{f.check(), bf.check()}, more...)
	for _, o := range outs {
		errs = append(errs, prepareOut(o.flag, o.path))
	}
	return bound.Check(errs...)
}

// openModelData is openModel and openData: the checkpoint's model on a new
// backend and the dataset checked against it (needTest: with a test
// split). Closed again on an error; else the caller closes it.
func openModelData(mf *modelDataFlags, bf *backendFlags, needTest bool) (*evalInput, error) {
	e, err := openModel(*mf.checkpoint, bf)
	if err != nil {
		return nil, err
	}
	if err := e.openData(mf, needTest); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

// openData opens the dataset and checks it against the model; needTest
// requires a test split.
func (e *evalInput) openData(f *modelDataFlags, needTest bool) error {
	folderSize := *f.imageSize
	if folderSize == 0 {
		folderSize = e.trainedSize
	}
	train, test, err := data.Open(*f.data, data.Options{Format: *f.format, ImageSize: folderSize})
	if err != nil {
		return err
	}
	e.train, e.test = train, test
	if needTest && test == nil {
		return fmt.Errorf("dataset %s has no test split", train.Name())
	}
	if e.size, err = eval.CheckInput(e.cfg, e.trainedSize, train, *f.imageSize); err != nil {
		return err
	}
	if test != nil {
		if _, err = eval.CheckInput(e.cfg, e.trainedSize, test, *f.imageSize); err != nil {
			return err
		}
	}
	// A batch of the encoder's forward (and, fine-tuning, backward) pass.
	if e.training {
		return modelMemory(e.cfg, e.size, *f.batch, deviceMemory(e.b), "batch", "image-size")
	}
	return inferMemory(e.cfg, e.size, *f.batch, deviceMemory(e.b), "batch", "image-size")
}

// progressBar returns a callback drawing "label [=====>   ] done/total" on
// stderr: redrawn in place on a terminal, a line per quarter otherwise.
func progressBar(label string) func(done, total int) {
	tty := metrics.IsTerminal(os.Stderr)
	start := time.Now()
	lastQuarter := -1
	return func(done, total int) {
		line := fmt.Sprintf("%s %s %d/%d  %s", label, metrics.Bar(done, total, 30), done, total, metrics.FormatDuration(time.Since(start)))
		if tty {
			fmt.Fprint(os.Stderr, "\r"+line)
			if done == total {
				fmt.Fprintln(os.Stderr)
			}
			return
		}
		if q := 4 * done / max(total, 1); q != lastQuarter {
			lastQuarter = q
			fmt.Fprintln(os.Stderr, line)
		}
	}
}

// writeJSON writes v indented to path ("-": stdout).
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = os.Stdout.Write(b)
		return err
	}
	if err := mkdirFor(path); err != nil {
		return err
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// pct formats a fraction as a percentage.
func pct(x float64) string { return fmt.Sprintf("%.2f %%", 100*x) }
