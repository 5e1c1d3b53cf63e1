package metrics

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// Status is what the trainer knows after a step.
type Status struct {
	Epoch, Epochs int           // current epoch (1-based) and total
	Step, Steps   int           // steps done in this epoch and steps per epoch
	Loss, Acc     float64       // Acc: contrastive top-1 as a fraction
	LR            float64       // current learning rate
	ImagesPerSec  float64       // recent throughput
	DataWait      float64       // fraction of time spent waiting for data
	CommMs        float64       // data-parallel communication per step, ms (0: none, not shown)
	Elapsed       time.Duration // time spent in this epoch so far
}

// ETA is the remaining time of the epoch at the current pace (0 when
// unknown).
func (s Status) ETA() time.Duration {
	if s.Step <= 0 || s.Step >= s.Steps {
		return 0
	}
	return time.Duration(float64(s.Elapsed) / float64(s.Step) * float64(s.Steps-s.Step))
}

// FormatDuration prints 59s, 1m05s, 2h03m.
func FormatDuration(d time.Duration) string {
	s := int64(math.Round(d.Seconds()))
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
	}
}

// Format returns the status fields after the step counter, e.g.
// "loss 5.1234  acc 12.3%  lr 0.1500  412 img/s  wait 3%  ETA 1m02s".
func Format(s Status) string {
	eta := "ETA --"
	if s.Step >= s.Steps && s.Steps > 0 {
		eta = "done " + FormatDuration(s.Elapsed)
	} else if d := s.ETA(); d > 0 {
		eta = "ETA " + FormatDuration(d)
	}
	comm := ""
	if s.CommMs > 0 {
		comm = fmt.Sprintf("  comm %.1f ms", s.CommMs)
	}
	return fmt.Sprintf("loss %.4f  acc %5.1f%%  lr %.4g  %.0f img/s  wait %.0f%%%s  %s",
		s.Loss, 100*s.Acc, s.LR, s.ImagesPerSec, 100*s.DataWait, comm, eta)
}

// Bar is a text bar of the given width for done/total, e.g. "[=====>    ]".
func Bar(done, total, width int) string {
	if width < 3 {
		width = 3
	}
	inner := width - 2
	fill := 0
	if total > 0 {
		fill = done * inner / total
	}
	fill = max(0, min(fill, inner))
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(strings.Repeat("=", fill))
	if fill < inner {
		b.WriteByte('>')
		b.WriteString(strings.Repeat(" ", inner-fill-1))
	}
	b.WriteByte(']')
	return b.String()
}

// Line is the full status line: with a bar (TTY) or without.
func Line(s Status, bar bool, barWidth int) string {
	head := fmt.Sprintf("epoch %d/%d", s.Epoch, s.Epochs)
	w := len(fmt.Sprint(s.Steps))
	steps := fmt.Sprintf("%*d/%d", w, s.Step, s.Steps)
	if bar {
		return head + " " + Bar(s.Step, s.Steps, barWidth) + " " + steps + "  " + Format(s)
	}
	return head + "  step " + steps + "  " + Format(s)
}

// IsTerminal reports whether f is a character device (a terminal).
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Progress prints status lines to W: redrawn in place on a TTY, plain
// lines every Every steps (and at the end of the epoch) otherwise.
type Progress struct {
	W        io.Writer
	TTY      bool
	Every    int // non-TTY: print every Every steps (<= 0: 50)
	BarWidth int // TTY: bar width (<= 0: 30)
	lastLen  int
}

// NewProgress prints to f, detecting a terminal.
func NewProgress(f *os.File) *Progress { return &Progress{W: f, TTY: IsTerminal(f)} }

// Update prints s if due.
func (p *Progress) Update(s Status) {
	end := s.Step >= s.Steps
	if p.TTY {
		bw := p.BarWidth
		if bw <= 0 {
			bw = 30
		}
		l := Line(s, true, bw)
		pad := ""
		if n := p.lastLen - len(l); n > 0 {
			pad = strings.Repeat(" ", n) // erase the tail of a longer previous line
		}
		p.lastLen = len(l)
		nl := ""
		if end {
			nl, p.lastLen = "\n", 0
		}
		fmt.Fprint(p.W, "\r"+l+pad+nl)
		return
	}
	every := p.Every
	if every <= 0 {
		every = 50
	}
	if s.Step%every == 0 || end {
		fmt.Fprintln(p.W, Line(s, false, 0))
	}
}
