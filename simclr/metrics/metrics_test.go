package metrics

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLogRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.jsonl")
	l, err := OpenLog(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	for g := int64(1); g <= 7; g++ {
		loss := 5.0 / float64(g)
		if g == 6 {
			loss = math.NaN()
		}
		if err := l.Step(StepRecord{Epoch: 1, Step: int(g), GlobalStep: g, Loss: Float(loss), LR: 0.1, Last: g == 7}); err != nil {
			t.Fatal(err)
		}
	}
	l.Epoch(EpochRecord{Epoch: 1, GlobalStep: 7, Loss: 1.5, KNNTop1: 42.5, KNNTop5: Float(math.NaN())})
	l.Close()
	// Every line is valid JSON on its own.
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 4 { // steps 3, 6, 7 (last) and the epoch
		t.Fatalf("%d lines:\n%s", len(lines), b)
	}
	for _, ln := range lines {
		if !json.Valid([]byte(ln)) {
			t.Errorf("invalid JSON line %q", ln)
		}
	}
	// Appending (a resumed run) and a torn last line (a crash mid-write).
	l2, _ := OpenLog(path, 1)
	l2.Step(StepRecord{Epoch: 2, Step: 1, GlobalStep: 8, Loss: 0.5})
	l2.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"step","epoch":2,"lo`)
	f.Close()
	r, _ := os.Open(path)
	defer r.Close()
	steps, epochs, err := ReadLog(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 4 || len(epochs) != 1 {
		t.Fatalf("%d steps %d epochs", len(steps), len(epochs))
	}
	if steps[0].GlobalStep != 3 || steps[0].Loss != Float(5.0/3) || steps[0].Type != "step" {
		t.Errorf("first step %+v", steps[0])
	}
	if !math.IsNaN(float64(steps[1].Loss)) || steps[2].GlobalStep != 7 || steps[3].GlobalStep != 8 {
		t.Errorf("steps %+v", steps)
	}
	if epochs[0].KNNTop1 != 42.5 || !math.IsNaN(float64(epochs[0].KNNTop5)) {
		t.Errorf("epoch %+v", epochs[0])
	}
	// A bad line in the middle is an error naming it.
	if _, _, err := ReadLog(strings.NewReader("{}\nnot json\n{}\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad middle line: %v", err)
	}
}

func TestProgressLines(t *testing.T) {
	s := Status{Epoch: 3, Epochs: 100, Step: 45, Steps: 97, Loss: 5.12345, Acc: 0.123, LR: 0.15,
		ImagesPerSec: 412.4, DataWait: 0.031, Elapsed: 45 * time.Second}
	got := Line(s, false, 0)
	want := "epoch 3/100  step 45/97  loss 5.1235  acc  12.3%  lr 0.15  412 img/s  wait 3%  ETA 52s"
	if got != want {
		t.Errorf("plain line\n got %q\nwant %q", got, want)
	}
	if b := Bar(45, 97, 12); b != "[====>     ]" {
		t.Errorf("bar %q", b)
	}
	if b := Bar(97, 97, 12); b != "[==========]" {
		t.Errorf("full bar %q", b)
	}
	if b := Bar(0, 97, 5); b != "[>  ]" {
		t.Errorf("empty bar %q", b)
	}
	if d := FormatDuration(3723 * time.Second); d != "1h02m" {
		t.Errorf("duration %q", d)
	}
	if d := FormatDuration(65 * time.Second); d != "1m05s" {
		t.Errorf("duration %q", d)
	}

	var tty bytes.Buffer
	p := &Progress{W: &tty, TTY: true, BarWidth: 12}
	for i := 1; i <= 4; i++ {
		s.Step, s.Steps = i, 4
		p.Update(s)
	}
	out := tty.String()
	if strings.Count(out, "\r") != 4 || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("TTY output %q", out)
	}
	if !strings.Contains(out, "[==========] 4/4") || !strings.Contains(out, "done 45s") {
		t.Errorf("TTY final line %q", out)
	}

	var plain bytes.Buffer
	q := &Progress{W: &plain, Every: 2}
	for i := 1; i <= 5; i++ {
		s.Step, s.Steps = i, 5
		q.Update(s)
	}
	ls := strings.Split(strings.TrimSpace(plain.String()), "\n")
	if len(ls) != 3 || strings.Contains(plain.String(), "\r") || !strings.Contains(ls[2], "step 5/5") {
		t.Errorf("plain output %q", plain.String())
	}
}

// countColor counts pixels of colour c inside r.
func countColor(img image.Image, r image.Rectangle, c [4]uint32) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			R, G, B, A := img.At(x, y).RGBA()
			if [4]uint32{R, G, B, A} == c {
				n++
			}
		}
	}
	return n
}

func rgba(c interface{ RGBA() (r, g, b, a uint32) }) [4]uint32 {
	r, g, b, a := c.RGBA()
	return [4]uint32{r, g, b, a}
}

func TestPlot(t *testing.T) {
	var loss []Point
	for i := 0; i <= 500; i++ {
		loss = append(loss, Point{float64(i * 20), 6*math.Exp(-float64(i)/150) + 0.3*math.Sin(float64(i))})
	}
	loss[250].Y = math.NaN()
	knn := []Point{{1, 22.5}, {2, 35}, {3, 41.2}, {5, 55}, {10, 71.3}}
	path := filepath.Join(t.TempDir(), "plot.png")
	if err := WritePlot(path, loss, knn, PlotOptions{}); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("METRICS_PLOT_OUT") != "" { // to look at it
		b, _ := os.ReadFile(path)
		os.WriteFile(os.Getenv("METRICS_PLOT_OUT"), b, 0o644)
	}
	f, _ := os.Open(path)
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 1200, 480) {
		t.Fatalf("size %v", img.Bounds())
	}
	left, right := image.Rect(0, 0, 600, 480), image.Rect(600, 0, 1200, 480)
	if n := countColor(img, left, rgba(LossColor)); n < 500 {
		t.Errorf("loss panel has %d data pixels", n)
	}
	if n := countColor(img, right, rgba(KNNColor)); n < 100 {
		t.Errorf("kNN panel has %d data pixels", n)
	}
	if countColor(img, right, rgba(LossColor)) != 0 || countColor(img, left, rgba(KNNColor)) != 0 {
		t.Error("series drawn in the wrong panel")
	}
	for _, r := range []image.Rectangle{left, right} {
		if n := countColor(img, r, rgba(AxisColor)); n < 1000 {
			t.Errorf("panel %v has only %d axis/text pixels", r, n)
		}
	}
}

func TestPlotEdgeCases(t *testing.T) {
	nan := math.NaN()
	cases := map[string][2][]Point{
		"one point":     {{{1, 5}}, {{1, 50}}},
		"constant":      {{{0, 2}, {1, 2}, {2, 2}}, {{1, 0}, {2, 0}}},
		"all NaN":       {{{0, nan}, {1, nan}}, nil},
		"empty":         {nil, nil},
		"NaN and a gap": {{{0, 1}, {1, nan}, {2, 3}}, {{1, 10}, {2, nan}, {3, 30}}},
		"huge values":   {{{0, 1e9}, {1e7, -1e9}}, {{1, 99.99}, {2, 100}}},
	}
	for name, c := range cases {
		img := RenderPlot(c[0], c[1], PlotOptions{Width: 640, Height: 300})
		if img.Bounds().Dx() != 640 || img.Bounds().Dy() != 300 {
			t.Fatalf("%s: size %v", name, img.Bounds())
		}
		wantL, wantR := 0, 0
		for _, p := range c[0] {
			if !math.IsNaN(p.Y) {
				wantL = 1
			}
		}
		for _, p := range c[1] {
			if !math.IsNaN(p.Y) {
				wantR = 1
			}
		}
		gotL := countColor(img, image.Rect(0, 0, 320, 300), rgba(LossColor))
		gotR := countColor(img, image.Rect(320, 0, 640, 300), rgba(KNNColor))
		if (gotL > 0) != (wantL > 0) || (gotR > 0) != (wantR > 0) {
			t.Errorf("%s: data pixels left %d right %d", name, gotL, gotR)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct{ lo, hi, alo, ahi, step float64 }{
		{0, 10000, 0, 10000, 2000},
		{0.31, 5.9, 0, 6, 2},
		{22.5, 71.3, 20, 80, 10},
		{2, 2, 1, 3, 0.5},
		{0, 0, -1, 1, 0.5},
	} {
		alo, ahi, step := niceTicks(c.lo, c.hi, 5)
		if math.Abs(alo-c.alo) > 1e-9 || math.Abs(ahi-c.ahi) > 1e-9 || math.Abs(step-c.step) > 1e-9 {
			t.Errorf("niceTicks(%v, %v) = %v %v %v, want %v %v %v", c.lo, c.hi, alo, ahi, step, c.alo, c.ahi, c.step)
		}
	}
	if l := tickLabel(0.30000000000000004, 0.1); l != "0.3" {
		t.Errorf("label %q", l)
	}
	if l := tickLabel(-2.7755575615628914e-17, 0.2); l != "0.0" {
		t.Errorf("label %q", l)
	}
}
