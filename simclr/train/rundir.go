package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"simclr-vk/internal/atomicfile"
	"simclr-vk/internal/runlock"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/metrics"
)

// openMetrics opens --out/metrics.jsonl on rank 0 (a fresh run starts it
// anew, a resumed one drops the records after its checkpoint) and a log to
// nowhere on the other ranks.
func (r *run) openMetrics(ck *checkpoint.Checkpoint) error {
	cfg := r.cfg
	if !r.lead {
		r.mlog = metrics.NewLog(io.Discard, cfg.LogEvery)
		return nil
	}
	logPath := filepath.Join(cfg.Out, "metrics.jsonl")
	if ck == nil {
		if err := os.Remove(logPath); err != nil && !os.IsNotExist(err) {
			return err
		}
	} else if n, err := metrics.TrimLog(logPath, r.pos.GlobalStep); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(r.log, "metrics: dropped %d records of %s after global step %d (logged after the checkpoint resumed)\n", n, logPath, r.pos.GlobalStep)
	}
	var err error
	r.mlog, err = metrics.OpenLog(logPath, cfg.LogEvery)
	return err
}

// openData opens the training set (subset) and the test split.
func (r *run) openData() (test data.Dataset, err error) {
	cfg := r.cfg
	// With --image-size, an image folder gives each image at its own size
	// (as a prepared .svk does): the random resized crop is taken from the
	// original, as the reference's, not from a centre square resized
	// first; the kNN monitor's test views get the eval transform.
	opts := data.Options{Format: cfg.DataFormat, NativeSize: cfg.ImageSize > 0, SkipBad: cfg.SkipBad}
	train, test, err := data.Open(cfg.Data, opts)
	if err != nil {
		return nil, fmt.Errorf("--data %s: %w", cfg.Data, err)
	}
	if f, ok := train.(*data.Folder); ok && len(f.Skipped) > 0 {
		fmt.Fprintf(r.log, "data: --skip-bad left out %d files that do not decode:\n  %s\n", len(f.Skipped), strings.Join(f.Skipped, "\n  "))
	}
	stored := ""
	if s, ok := train.(*data.SVK); ok {
		stored = storedNote(s.MaxSide(), cfg.ImageSize)
	}
	full := train.Len()
	if cfg.Subset > 0 {
		train = data.Subset(train, cfg.Subset, cfg.Seed)
	}
	r.train = train
	c, h, w := train.Shape()
	shape := fmt.Sprintf("%dx%dx%d", h, w, c)
	if data.VariesInSize(train) {
		shape = fmt.Sprintf("%d channels, sizes vary, shorter sides from %d", c, min(h, w))
	}
	fmt.Fprintf(r.log, "data: %s, %d of %d training images (%s%s)", train.Name(), train.Len(), full, shape, stored)
	if cfg.Subset > 0 && cfg.Subset < full {
		fmt.Fprintf(r.log, ", a fixed subset (--subset 0 for all)")
	}
	fmt.Fprintln(r.log)
	return test, nil
}

// storedNote says how a .svk file was prepared, for the data line: the
// shorter-side bound (prepare --max-side), and whether the views are
// larger than the stored images can give without upsampling.
func storedNote(maxSide, size int) string {
	if maxSide == 0 {
		return "; stored at full size, prepare --max-side 0"
	}
	note := fmt.Sprintf("; stored at prepare --max-side %d", maxSide)
	if size > maxSide {
		note += fmt.Sprintf(", below --image-size %d: views are upsampled", size)
	}
	return note
}

// prepareOut creates the output directory and takes its lock (one run per
// directory; the caller releases it). It never lets a run prune
// checkpoints it does not own: a fresh run refuses a directory that holds
// checkpoints, a resumed one a directory with checkpoints newer than the
// one resumed.
func (r *run) prepareOut(ck *checkpoint.Checkpoint) (_ *runlock.Lock, err error) {
	out := r.cfg.Out
	lock, err := runlock.Acquire(out, runlock.CommandLine())
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	defer func() {
		if err != nil {
			lock.Release()
		}
	}()
	if n := lock.StaleNote(); n != "" {
		fmt.Fprintln(r.log, n)
	}
	files, err := checkpoint.List(out)
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	if ck == nil && len(files) > 0 {
		return nil, fmt.Errorf("--out %s already holds checkpoints of a run: continue it with --resume %s, or choose another --out", out, out)
	}
	if ck != nil && len(files) > 0 {
		// Resuming from an older checkpoint next to newer ones would mix two
		// histories and let pruning delete the newer ones.
		name := filepath.Base(files[len(files)-1])
		if checkpoint.FileStep(name) > ck.Meta.GlobalStep {
			return nil, fmt.Errorf("--out %s holds %s, newer than the checkpoint resumed (global step %d): give the resumed run another --out so that neither history overwrites the other",
				out, name, ck.Meta.GlobalStep)
		}
	}
	r.ckdir = checkpoint.Dir{Path: out, Keep: r.cfg.Keep}
	path := filepath.Join(out, "config.json")
	if err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(append(r.cfg.JSON(), '\n'))
		return err
	}); err != nil {
		return nil, fmt.Errorf("--out: write %s: %w", path, err)
	}
	return lock, nil
}

// size is the side of the training views.
func (r *run) size() int {
	if r.cfg.ImageSize > 0 {
		return r.cfg.ImageSize
	}
	_, h, w := r.train.Shape()
	return min(h, w)
}

// outsideData refuses an output directory that is the --data directory or
// lies inside it: an image folder would take plot.png (and a class folder
// everything else written there) for a training image on the next run, and
// the run would change the dataset it reads. A data path that is not an
// existing directory (a .npy file, a name resolved later) passes.
func outsideData(out, spec string) error {
	if p, ok := data.KnownNames[spec]; ok {
		spec = p
	}
	dst, err := os.Stat(spec)
	if spec == "" || err != nil || !dst.IsDir() {
		return nil
	}
	p, err := filepath.Abs(out)
	if err != nil {
		return nil
	}
	for {
		if st, err := os.Stat(p); err == nil && os.SameFile(st, dst) {
			return fmt.Errorf("--out %s is inside the --data directory %s: the run would write into the dataset it reads (a folder dataset would take plot.png for an image); choose an --out outside it", out, spec)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		p = parent
	}
}
