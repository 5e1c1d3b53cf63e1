package cpu

import (
	"fmt"
	"testing"

	"simclr-vk/engine"
)

// TestBlockedConvEdges: each oneDNN convolution with its activation
// inputs held blocked (or not) gives the reference's values, and an
// output left blocked reads back right, at edge shapes: one image, 1x1
// planes, C = 16 and 48, odd planes, strided 3x3 and 1x1, threads 1-3.
func TestBlockedConvEdges(t *testing.T) {
	skipWithoutOneDNN(t)
	shapes := []engine.Conv2DParams{
		{N: 1, C: 16, H: 1, W: 1, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 1, C: 48, H: 3, W: 5, K: 48, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 3, C: 16, H: 7, W: 7, K: 32, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
		{N: 2, C: 32, H: 5, W: 5, K: 64, R: 1, S: 1, StrideH: 2, StrideW: 2},
		{N: 2, C: 3, H: 5, W: 5, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 1, C: 64, H: 2, W: 2, K: 16, R: 1, S: 1, StrideH: 1, StrideW: 1},
	}
	for _, p := range shapes {
		x, w, dy := convInputs(3, p)
		nx, nw, ny := convSizes(p)
		wantY, wantDx, wantDw := make([]float32, ny), make([]float32, nx), make([]float32, nw)
		Conv2DForward(wantY, x, w, p)
		Conv2DBackwardData(wantDx, dy, w, p)
		Conv2DBackwardFilter(wantDw, dy, x, p)
		for _, th := range []int{1, 2, 3} {
			for _, pre := range []bool{false, true} {
				t.Run(fmt.Sprintf("%v/threads%d/preblocked%v", p, th, pre), func(t *testing.T) {
					be := New(Options{Threads: th, Conv: ConvOneDNN})
					defer be.Close()
					xt, wt, dyt := be.New(p.N, p.C, p.H, p.W), be.New(p.K, p.C, p.R, p.S), be.New(p.N, p.K, p.OutH(), p.OutW())
					be.Upload(xt, x)
					be.Upload(wt, w)
					be.Upload(dyt, dy)
					xd, yd := nchw{p.N, p.C, p.H, p.W}, nchw{p.N, p.K, p.OutH(), p.OutW()}
					if pre {
						if blockable(xt, xd) {
							toBlocked(xt, xd)
						}
						if blockable(dyt, yd) {
							toBlocked(dyt, yd)
						}
					}
					yt, dxt, dwt := be.New(p.N, p.K, p.OutH(), p.OutW()), be.New(p.N, p.C, p.H, p.W), be.New(p.K, p.C, p.R, p.S)
					for _, o := range []struct {
						t *engine.Tensor
						d nchw
					}{{yt, yd}, {dxt, xd}, {dwt, nchw{1, 1, 1, nw}}} {
						// with pre, a stale tag of another shape of the same size
						stale := nchw{1, o.d.n * o.d.c, o.d.h, o.d.w}
						if o.t == dwt {
							stale = nchw{1, blockC, 1, nw / blockC}
						}
						if pre && !stale.same(o.d) && blockable(o.t, stale) {
							toBlocked(o.t, stale)
						}
					}
					be.Conv2DForward(yt, xt, wt, p)
					be.Conv2DBackwardFilter(dwt, dyt, xt, p) // x read again, maybe blocked now
					be.Conv2DBackwardData(dxt, dyt, wt, p)
					if err := be.Err(); err != nil {
						t.Fatal(err)
					}
					for _, c := range []struct {
						name string
						t    *engine.Tensor
						want []float32
					}{{"y", yt, wantY}, {"dx", dxt, wantDx}, {"dw", dwt, wantDw}, {"x", xt, x}, {"dy", dyt, dy}} {
						got := make([]float32, c.t.Numel())
						be.Download(c.t, got)
						checkClose(t, c.name, got, c.want, 1e-4, 1e-4)
					}
				})
			}
		}
	}
}

// TestBlockedPoolReuse: a tensor left blocked by one shape and handed out
// again (layers.Pool) as another shape of the same size, written by each
// kind of op, reads back the op's NCHW result.
func TestBlockedPoolReuse(t *testing.T) {
	be := New(Options{Threads: 2})
	old := nchw{2, 32, 2, 3}
	n := old.numel()
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(i%97) - 40
	}
	for name, op := range map[string]func(dst, a *engine.Tensor){
		"Add":       func(dst, a *engine.Tensor) { be.Add(dst, a, a) },
		"Copy":      func(dst, a *engine.Tensor) { be.Copy(dst, a) },
		"ReLU":      func(dst, a *engine.Tensor) { be.ReLUForward(dst, a) },
		"Scale":     func(dst, a *engine.Tensor) { be.Scale(dst, a, 1) },
		"CopyAxpy0": func(dst, a *engine.Tensor) { be.Copy(dst, a); be.Axpy(dst, 0, a) },
		"AxpyOld":   func(dst, a *engine.Tensor) { be.Fill(dst, 0); be.Axpy(dst, 1, a) },
	} {
		for _, newShape := range [][]int{{4, 16, 2, 3}, {2, 16, 2, 6}, {384}} {
			dst := be.New(old.n, old.c, old.h, old.w)
			be.Upload(dst, src)
			toBlocked(dst, old)
			view := dst.Reshape(newShape...)
			a := be.New(newShape...)
			be.Upload(a, src)
			if len(newShape) == 4 {
				toBlocked(a, nchw{newShape[0], newShape[1], newShape[2], newShape[3]})
			}
			op(view, a)
			got := make([]float32, n)
			be.Download(view, got)
			for i := range got {
				want := src[i]
				switch name {
				case "Add":
					want = 2 * src[i]
				case "ReLU":
					want = max(src[i], 0)
				}
				if got[i] != want {
					t.Errorf("%s into %v reused from blocked %v: [%d] = %v, want %v", name, newShape, old, i, got[i], want)
					break
				}
			}
		}
	}
}
