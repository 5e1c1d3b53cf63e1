package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Elementwise ops against the cpu references on awkward lengths, including
// one long enough for the CPU backend's parallel path, aliasing of dst with
// an input, and outputs guarded by sentinel tensors on both sides.

var elemSizes = []int{1, 3, 13, 127, 4097, 100003}

// guarded is an output tensor allocated between two sentinel-filled guard
// tensors; a backend that places tensors back to back must not touch them.
type guarded struct {
	lo, t, hi *engine.Tensor
}

const guardLen = 67

// guardOut allocates t (shape) between guards and fills t with init (or
// Sentinel when init is nil).
func guardOut(b engine.Backend, init []float32, shape ...int) guarded {
	g := guarded{lo: Upload(b, sentinels(guardLen), guardLen)}
	g.t = b.New(shape...)
	g.hi = Upload(b, sentinels(guardLen), guardLen)
	if init == nil {
		init = sentinels(g.t.Numel())
	}
	b.Upload(g.t, init)
	return g
}

func sentinels(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = Sentinel
	}
	return s
}

// done checks the guards, downloads t and releases all three tensors.
func (g guarded) done(t testing.TB, b engine.Backend, what string) []float32 {
	t.Helper()
	out := Download(t, b, g.t)
	Close(t, what+" guard before", Download(t, b, g.lo), sentinels(guardLen), Tol{})
	Close(t, what+" guard after", Download(t, b, g.hi), sentinels(guardLen), Tol{})
	g.lo.Release()
	g.t.Release()
	g.hi.Release()
	return out
}

var exact = Tol{}

// arith is for one float32 operation per element (a GPU may fuse a*x+y).
var arith = Tol{Atol: 1e-7, Rtol: 1e-6}

func init() {
	register("Elementwise", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(2))
		for _, n := range elemSizes {
			x := Rand(rng, n, -2, 2)
			y := Rand(rng, n, -2, 2)
			// Exact zeros exercise the ReLU boundaries.
			for i := 0; i < n; i += 5 {
				x[i] = 0
			}
			alpha := float32(-0.75)
			type unary struct {
				name string
				tol  Tol
				dev  func(dst, src *engine.Tensor)
				ref  func(dst, src []float32)
			}
			for _, u := range []unary{
				{"Copy", exact, b.Copy, cpu.Copy},
				{"Scale", arith, func(d, s *engine.Tensor) { b.Scale(d, s, alpha) }, func(d, s []float32) { cpu.Scale(d, s, alpha) }},
				{"ReLUForward", exact, b.ReLUForward, cpu.ReLUForward},
			} {
				t.Run(fmt.Sprintf("%s/n=%d", u.name, n), func(t *testing.T) {
					xs := Upload(b, x, n)
					g := guardOut(b, nil, n)
					u.dev(g.t, xs)
					want := make([]float32, n)
					u.ref(want, x)
					Close(t, u.name, g.done(t, b, u.name), want, u.tol)
					xs.Release()
				})
			}
			t.Run(fmt.Sprintf("Fill/n=%d", n), func(t *testing.T) {
				g := guardOut(b, nil, n)
				b.Fill(g.t, 3.25)
				want := make([]float32, n)
				cpu.Fill(want, 3.25)
				Close(t, "Fill", g.done(t, b, "Fill"), want, exact)
			})
			type binary struct {
				name string
				dev  func(dst, a, b *engine.Tensor)
				ref  func(dst, a, b []float32)
			}
			for _, op := range []binary{
				{"Add", b.Add, cpu.Add},
				{"Sub", b.Sub, cpu.Sub},
				{"Mul", b.Mul, cpu.Mul},
				{"ReLUBackward", b.ReLUBackward, cpu.ReLUBackward},
			} {
				t.Run(fmt.Sprintf("%s/n=%d", op.name, n), func(t *testing.T) {
					// ReLUBackward(dx, dy, y): dy is the random vector y,
					// the mask is relu(x) (exact zeros included).
					a, c := y, x
					if op.name == "ReLUBackward" {
						c = make([]float32, n)
						cpu.ReLUForward(c, x)
					}
					at, ct := Upload(b, a, n), Upload(b, c, n)
					g := guardOut(b, nil, n)
					op.dev(g.t, at, ct)
					want := make([]float32, n)
					op.ref(want, a, c)
					Close(t, op.name, g.done(t, b, op.name), want, arith)
					at.Release()
					ct.Release()
				})
				if op.name == "ReLUBackward" {
					continue
				}
				t.Run(fmt.Sprintf("%s/alias/n=%d", op.name, n), func(t *testing.T) {
					// dst aliases the first input, then the second.
					want := make([]float32, n)
					op.ref(want, y, x)
					at, ct := Upload(b, y, n), Upload(b, x, n)
					op.dev(at, at, ct)
					Close(t, op.name+" dst=a", Download(t, b, at), want, arith)
					b.Upload(at, y)
					op.dev(ct, at, ct)
					Close(t, op.name+" dst=b", Download(t, b, ct), want, arith)
					at.Release()
					ct.Release()
				})
			}
			t.Run(fmt.Sprintf("Axpy/n=%d", n), func(t *testing.T) {
				xs := Upload(b, x, n)
				g := guardOut(b, y, n)
				b.Axpy(g.t, alpha, xs)
				want := append([]float32(nil), y...)
				cpu.Axpy(want, alpha, x)
				Close(t, "Axpy", g.done(t, b, "Axpy"), want, arith)
				xs.Release()
			})
		}
	})
}
