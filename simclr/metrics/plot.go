package metrics

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"simclr-vk/internal/atomicfile"
)

// Point is one (x, y) sample of a series.
type Point struct{ X, Y float64 }

// PlotOptions size the figure (zero values: 1200 x 480).
type PlotOptions struct {
	Width, Height int
}

// Colours of the figure; exported so tests and callers can find the data.
var (
	Background = color.RGBA{255, 255, 255, 255}
	AxisColor  = color.RGBA{40, 40, 40, 255}
	GridColor  = color.RGBA{225, 225, 225, 255}
	LossColor  = color.RGBA{31, 119, 180, 255}
	KNNColor   = color.RGBA{214, 39, 40, 255}
)

const textScale = 2

// LossPoints extracts (global step, loss) from step records.
func LossPoints(steps []StepRecord) []Point {
	ps := make([]Point, len(steps))
	for i, s := range steps {
		ps[i] = Point{float64(s.GlobalStep), float64(s.Loss)}
	}
	return ps
}

// KNNPoints extracts (epoch, kNN top-1 %) from epoch records, leaving out
// epochs without an evaluation (NaN).
func KNNPoints(epochs []EpochRecord) []Point {
	var ps []Point
	for _, e := range epochs {
		if !math.IsNaN(float64(e.KNNTop1)) {
			ps = append(ps, Point{float64(e.Epoch), float64(e.KNNTop1)})
		}
	}
	return ps
}

// WritePlot renders the two panels and writes a PNG (through a temporary
// file and a rename).
func WritePlot(path string, loss, knn []Point, opt PlotOptions) error {
	img := RenderPlot(loss, knn, opt)
	if err := atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return fmt.Errorf("metrics: write plot %s: %w", path, err)
	}
	return nil
}

// RenderPlot draws loss vs step (left) and kNN top-1 vs epoch (right).
func RenderPlot(loss, knn []Point, opt PlotOptions) *image.RGBA {
	w, h := opt.Width, opt.Height
	if w <= 0 {
		w = 1200
	}
	if h <= 0 {
		h = 480
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{Background}, image.Point{}, draw.Src)
	half := w / 2
	panel(img, image.Rect(0, 0, half, h), loss, "training loss", "step", LossColor, false)
	panel(img, image.Rect(half, 0, w, h), knn, "kNN top-1 (%)", "epoch", KNNColor, true)
	return img
}

// finiteRange returns the min and max of finite values, ok false if none.
func finiteRange(ps []Point, y bool) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		v := p.X
		if y {
			v = p.Y
		}
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			continue
		}
		lo, hi, ok = math.Min(lo, v), math.Max(hi, v), true
	}
	return
}

// niceTicks returns an axis range covering [lo, hi] and the ticks on it,
// spaced 1, 2 or 5 times a power of ten, about n of them.
func niceTicks(lo, hi float64, n int) (alo, ahi, step float64) {
	if hi <= lo {
		pad := math.Max(math.Abs(lo)*0.1, 1)
		lo, hi = lo-pad, hi+pad
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch r := raw / mag; {
	case r <= 1:
		step = mag
	case r <= 2:
		step = 2 * mag
	case r <= 5:
		step = 5 * mag
	default:
		step = 10 * mag
	}
	return math.Floor(lo/step+1e-9) * step, math.Ceil(hi/step-1e-9) * step, step
}

func tickLabel(v, step float64) string {
	dec := int(math.Max(0, -math.Floor(math.Log10(step)+1e-9)))
	if math.Abs(v) < step*1e-6 {
		v = 0
	}
	return fmt.Sprintf("%.*f", dec, v)
}

func panel(img *image.RGBA, r image.Rectangle, ps []Point, title, xlabel string, c color.RGBA, markers bool) {
	ch := glyphH * textScale
	left, right := r.Min.X+110, r.Max.X-45
	top, bottom := r.Min.Y+20+ch+20, r.Max.Y-(2*ch+40)
	drawText(img, (left+right-textWidth(title, textScale))/2, r.Min.Y+20, title, textScale, AxisColor)
	drawText(img, (left+right-textWidth(xlabel, textScale))/2, r.Max.Y-ch-16, xlabel, textScale, AxisColor)

	xlo, xhi, okx := finiteRange(ps, false)
	ylo, yhi, oky := finiteRange(ps, true)
	if !okx || !oky {
		rect(img, left, top, right, bottom, AxisColor)
		msg := "no data"
		drawText(img, (left+right-textWidth(msg, textScale))/2, (top+bottom)/2, msg, textScale, AxisColor)
		return
	}
	if xhi == xlo {
		xlo, xhi = xlo-1, xhi+1
	}
	xlo, xhi, xstep := niceTicks(xlo, xhi, 5)
	ylo, yhi, ystep := niceTicks(ylo, yhi, 5)
	px := func(x float64) int { return left + int(math.Round((x-xlo)/(xhi-xlo)*float64(right-left))) }
	py := func(y float64) int { return bottom - int(math.Round((y-ylo)/(yhi-ylo)*float64(bottom-top))) }

	eachTick(xlo, xhi, xstep, func(v float64) {
		x := px(v)
		vline(img, x, top, bottom, GridColor)
		vline(img, x, bottom, bottom+6, AxisColor)
		l := tickLabel(v, xstep)
		drawText(img, x-textWidth(l, textScale)/2, bottom+10, l, textScale, AxisColor)
	})
	eachTick(ylo, yhi, ystep, func(v float64) {
		y := py(v)
		hline(img, left, right, y, GridColor)
		hline(img, left-6, left, y, AxisColor)
		l := tickLabel(v, ystep)
		drawText(img, left-10-textWidth(l, textScale), y-ch/2, l, textScale, AxisColor)
	})
	rect(img, left, top, right, bottom, AxisColor)

	clip := image.Rect(left, top, right+1, bottom+1)
	finite := func(i int) bool {
		return i >= 0 && i < len(ps) && !math.IsNaN(ps[i].X) && !math.IsNaN(ps[i].Y) && !math.IsInf(ps[i].X, 0) && !math.IsInf(ps[i].Y, 0)
	}
	prev, have := image.Point{}, false
	for i, p := range ps {
		if !finite(i) {
			have = false // break the line at a missing value
			continue
		}
		q := image.Pt(px(p.X), py(p.Y))
		if have {
			line(img, prev, q, c, clip)
			line(img, prev.Add(image.Pt(0, 1)), q.Add(image.Pt(0, 1)), c, clip)
		}
		prev, have = q, true
		if markers || (!finite(i-1) && !finite(i+1)) { // isolated points get a marker too
			for dy := -3; dy <= 3; dy++ {
				for dx := -3; dx <= 3; dx++ {
					if image.Pt(q.X+dx, q.Y+dy).In(clip) {
						img.Set(q.X+dx, q.Y+dy, c)
					}
				}
			}
		}
	}
}

func hline(img *image.RGBA, x0, x1, y int, c color.Color) {
	for x := x0; x <= x1; x++ {
		img.Set(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.Color) {
	for y := y0; y <= y1; y++ {
		img.Set(x, y, c)
	}
}

func rect(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	hline(img, x0, x1, y0, c)
	hline(img, x0, x1, y1, c)
	vline(img, x0, y0, y1, c)
	vline(img, x1, y0, y1, c)
}

// line draws a Bresenham segment, clipped to clip.
func line(img *image.RGBA, a, b image.Point, c color.Color, clip image.Rectangle) {
	dx, dy := abs(b.X-a.X), -abs(b.Y-a.Y)
	sx, sy := 1, 1
	if a.X > b.X {
		sx = -1
	}
	if a.Y > b.Y {
		sy = -1
	}
	e := dx + dy
	for {
		if a.In(clip) {
			img.Set(a.X, a.Y, c)
		}
		if a == b {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			a.X += sx
		}
		if e2 <= dx {
			e += dx
			a.Y += sy
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// eachTick calls fn with each tick lo, lo+step, ... up to hi (niceTicks).
func eachTick(lo, hi, step float64, fn func(v float64)) {
	for i := 0; ; i++ {
		v := lo + float64(i)*step
		if v > hi+step*1e-6 {
			return
		}
		fn(v)
	}
}
