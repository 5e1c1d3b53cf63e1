package engine

import "fmt"

// Shape-check helpers shared by the backends. They panic with an
// "engine: <op>: ..." message naming the offending tensor.

// CheckNumel panics unless t holds exactly n elements.
func CheckNumel(op, name string, t *Tensor, n int) {
	if t == nil {
		panic(fmt.Sprintf("engine: %s: %s is nil", op, name))
	}
	if t.Released() {
		panic(fmt.Sprintf("engine: %s: %s %v was released", op, name, t))
	}
	if t.numel != n {
		panic(fmt.Sprintf("engine: %s: %s has shape %v (%d elements), want %d elements", op, name, t.shape, t.numel, n))
	}
}

// CheckSame panics unless every tensor has the numel of the first.
func CheckSame(op string, names []string, ts ...*Tensor) int {
	if len(ts) == 0 || ts[0] == nil {
		panic(fmt.Sprintf("engine: %s: %s is nil", op, names[0]))
	}
	n := ts[0].numel
	for i, t := range ts {
		CheckNumel(op, names[i], t, n)
	}
	return n
}

// CheckBackend panics unless t belongs to b.
func CheckBackend(op string, b Backend, ts ...*Tensor) {
	for _, t := range ts {
		if t != nil && t.backend != b {
			panic(fmt.Sprintf("engine: %s: tensor %v belongs to backend %s, not %s", op, t, t.backend.Name(), b.Name()))
		}
	}
}
