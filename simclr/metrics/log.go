package metrics

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"syscall"

	"simclr-vk/internal/atomicfile"
)

// Float is a float64 that is written as null when NaN or infinite (JSON
// has no such numbers) and read back from null as NaN.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	*f = Float(v)
	return err
}

// StepRecord is one training step ("type": "step").
type StepRecord struct {
	Type         string `json:"type"` // "step" (set by Log.Step)
	Epoch        int    `json:"epoch"`
	Step         int    `json:"step"`        // 1-based step within the epoch
	GlobalStep   int64  `json:"global_step"` // 1-based optimizer step
	Loss         Float  `json:"loss"`
	Acc          Float  `json:"acc"` // contrastive top-1, fraction
	LR           Float  `json:"lr"`
	ImagesPerSec Float  `json:"images_per_sec"`
	DataWait     Float  `json:"data_wait"` // fraction of the step spent waiting for data
	Time         Float  `json:"time"`      // seconds since the start of the run
	// CommMs is the step's time in data-parallel communication (the
	// all-gathers and all-reduces, waiting for the slowest rank included),
	// in ms; left out in a world of one.
	CommMs Float `json:"comm_ms,omitempty"`
	// Mixed precision: the loss scale of the step, whether the step was
	// skipped (its scaled gradients overflowed: no optimizer update, the
	// scale halved) and the steps skipped so far in the run; left out in
	// float32.
	LossScale    Float `json:"loss_scale,omitempty"`
	Skipped      bool  `json:"skipped,omitempty"`
	SkippedSteps int64 `json:"skipped_steps,omitempty"`
	Last         bool  `json:"-"` // last step of the epoch (or a skipped one): always logged
}

// EpochRecord summarises one epoch ("type": "epoch").
type EpochRecord struct {
	Type         string            `json:"type"` // "epoch" (set by Log.Epoch)
	Epoch        int               `json:"epoch"`
	GlobalStep   int64             `json:"global_step"`
	Loss         Float             `json:"loss"` // mean over the epoch
	Acc          Float             `json:"acc"`
	KNNTop1      Float             `json:"knn_top1"` // percent, NaN when not evaluated
	KNNTop5      Float             `json:"knn_top5"`
	ImagesPerSec Float             `json:"images_per_sec"`
	Seconds      Float             `json:"seconds"`
	Extra        map[string]string `json:"extra,omitempty"`
}

// Log writes JSON lines.
type Log struct {
	w     io.Writer
	f     *os.File // nil when writing to a plain io.Writer
	Every int      // log every Every-th global step (<= 1: every step)
}

// NewLog writes to w (each line is one Write call).
func NewLog(w io.Writer, every int) *Log { return &Log{w: w, Every: every} }

// OpenLog opens path for appending (creating it), so a resumed run adds to
// the same log (TrimLog first drops what the resumed checkpoint does not
// cover). A symbolic link at path is refused, never followed.
func OpenLog(path string, every int) (*Log, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("metrics: open log: %w", noFollow(path, err))
	}
	return &Log{w: f, f: f, Every: every}, nil
}

// TrimLog makes the log at path hold only what happened up to global step
// step, for a run resumed from a checkpoint of that step: the records of
// later steps (written by a run that was killed before its next checkpoint,
// or that went on from a checkpoint older than the one resumed) are
// dropped, as is a torn or unparsable line. Records without a global step
// are kept. The file is rewritten atomically, and only when something is
// dropped; a missing file is not an error. It returns the number of lines
// dropped. A symbolic link at path is refused.
func TrimLog(path string, step int64) (int, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("metrics: trim log: %w", noFollow(path, err))
	}
	b, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("metrics: trim log: %w", err)
	}
	var keep bytes.Buffer
	dropped := 0
	for rest := b; len(rest) > 0; {
		line, tail, full := bytes.Cut(rest, []byte("\n"))
		rest = tail
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var rec struct {
			GlobalStep *int64 `json:"global_step"`
		}
		if !full || json.Unmarshal(line, &rec) != nil || (rec.GlobalStep != nil && *rec.GlobalStep > step) {
			dropped++
			continue
		}
		keep.Write(line)
		keep.WriteByte('\n')
	}
	if dropped == 0 {
		return 0, nil
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(keep.Bytes()); return err }); err != nil {
		return 0, fmt.Errorf("metrics: trim log %s: %w", path, err)
	}
	return dropped, nil
}

// noFollow explains the error of an O_NOFOLLOW open of a symbolic link.
func noFollow(path string, err error) error {
	if errors.Is(err, syscall.ELOOP) {
		return fmt.Errorf("%s is a symbolic link; it is not followed for writing (remove it)", path)
	}
	return err
}

// Write writes any JSON-encodable value as one line.
func (l *Log) Write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("metrics: log: %w", err)
	}
	b = append(b, '\n')
	if _, err := l.w.Write(b); err != nil {
		return fmt.Errorf("metrics: log: %w", err)
	}
	return nil
}

// Step writes r when r.GlobalStep is a multiple of Every or r.Last.
func (l *Log) Step(r StepRecord) error {
	if l.Every > 1 && r.GlobalStep%int64(l.Every) != 0 && !r.Last {
		return nil
	}
	r.Type = "step"
	return l.Write(r)
}

// Epoch writes r.
func (l *Log) Epoch(r EpochRecord) error {
	r.Type = "epoch"
	return l.Write(r)
}

// Close closes the file opened by OpenLog.
func (l *Log) Close() error {
	if l.f == nil {
		return nil
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("metrics: close log: %w", err)
	}
	return nil
}

// ReadLog parses a log written by Log. Lines of other types are ignored; a
// torn (unterminated, unparsable) last line from a crash is skipped; any
// other bad line is an error naming its number.
func ReadLog(r io.Reader) ([]StepRecord, []EpochRecord, error) {
	var steps []StepRecord
	var epochs []EpochRecord
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var t struct {
				Type string `json:"type"`
			}
			perr := json.Unmarshal(line, &t)
			switch {
			case perr != nil && err == io.EOF:
				return steps, epochs, nil // torn last line
			case perr != nil:
				return nil, nil, fmt.Errorf("metrics: log line %d: %w", n, perr)
			case t.Type == "step":
				var s StepRecord
				if err := json.Unmarshal(line, &s); err != nil {
					return nil, nil, fmt.Errorf("metrics: log line %d: %w", n, err)
				}
				steps = append(steps, s)
			case t.Type == "epoch":
				var e EpochRecord
				if err := json.Unmarshal(line, &e); err != nil {
					return nil, nil, fmt.Errorf("metrics: log line %d: %w", n, err)
				}
				epochs = append(epochs, e)
			}
		}
		if err == io.EOF {
			return steps, epochs, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("metrics: read log: %w", err)
		}
	}
}
