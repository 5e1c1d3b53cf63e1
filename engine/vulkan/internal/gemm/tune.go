package gemm

// Measuring the GEMM shape classes: the problem timed per class, the
// cache lookup and the two timing rounds.

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/eltwise"
	"simclr-vk/engine/vulkan/internal/tune"
)

// tuneProblem is the product timed for a class, (m, n, k), and its batch
// (16 for the skinny class, else 1): small sizes on CPU devices (lavapipe
// runs about 10 GFLOP/s; the whole tuning stays within seconds), sizes that
// fill a GPU otherwise (well under a second in all).
func (o *Ops) tuneProblem(class string) (mnk [3]int, batch int) {
	batch = 1
	if class == classSkinny {
		batch = 16
	}
	if o.Info.Type == "cpu" {
		// m >= 128 everywhere: the subgroup kernel then has the same
		// specialization (4 subgroups per workgroup) in every class, and a
		// cold Mesa shader cache compiles it once (about 14 s on 2 cores)
		// instead of twice.
		return map[string][3]int{classSmall: {128, 32, 256}, classMedium: {256, 256, 128}, classLarge: {512, 512, 64},
			classHuge: {1024, 1024, 16}, classSkinny: {128, 1024, 8}, classSplitK: {128, 32, 8192}}[class], batch
	}
	return map[string][3]int{classSmall: {192, 192, 1024}, classMedium: {384, 384, 1024}, classLarge: {1024, 1024, 1024},
		classHuge: {4096, 4096, 1024}, classSkinny: {64, 32768, 64}, classSplitK: {256, 256, 16384}}[class], batch
}

// tuneClass picks the kernel of a class from the cache or by measuring
// every candidate, falling back to the table (with a note) when measuring
// fails.
func (o *Ops) tuneClass(class string) ClassChoice {
	t := o.tuner
	t.Load()
	key := tune.KeyOf(o.Info)
	if t.Mode == "auto" {
		if e, ok := t.Find(key, class); ok && o.supported(e.Kernel) && (class == classSplitK || !strings.HasPrefix(e.Kernel, "splitk_")) {
			return ClassChoice{Class: class, Shapes: classShapes[class], Kernel: e.Kernel, Source: "cache",
				Problem: e.Problem, GFLOPs: e.GFLOPs, Timing: e.Timing}
		}
	}
	c, err := o.measureClass(class)
	if err != nil {
		t.Notef("gemm autotune of class %s failed, using the table: %v", class, err)
		return ClassChoice{Class: class, Shapes: classShapes[class], Kernel: o.table(class), Source: "table", Note: err.Error()}
	}
	t.Store(tune.Entry{Key: key, Device: o.Info.Name, Class: class, Kernel: c.Kernel, Problem: c.Problem,
		GFLOPs: c.GFLOPs, Timing: c.Timing, Measured: time.Now().UTC().Format(time.RFC3339)})
	return c
}

// measureClass times each candidate on the class's problem (NN, beta 0,
// inputs uniform in [-1, 1)) with a kernelTimer; the fastest median of
// those whose product agrees with the register-blocked kernel's (the
// reference: agree.go) wins.
// Pending work is flushed first.
func (o *Ops) measureClass(class string) (ClassChoice, error) {
	defer o.tuner.AddSpent(time.Now())
	p, batch := o.tuneProblem(class)
	m, n, k := p[0], p[1], p[2]
	c := ClassChoice{Class: class, Shapes: classShapes[class], Source: "measured", Problem: p, GFLOPs: map[string]float64{}}
	a, b, out := o.RT.New(batch*m*k), o.RT.New(batch*k*n), o.RT.New(batch*m*n)
	defer a.Release()
	defer b.Release()
	defer out.Release()
	rng := rand.New(rand.NewSource(1))
	for _, t := range []*engine.Tensor{a, b} {
		v := make([]float32, t.Numel())
		for i := range v {
			v[i] = 2*rng.Float32() - 1
		}
		o.RT.Upload(t, v)
	}
	o.Record("regblock", false, false, batch, m, n, k, 1, a, b, 0, out)
	what := "gemm autotune of class " + class
	ref, tm, err := o.tuner.Setup(o.RT, what, out, o.Info.Type != "cpu", (&eltwise.Ops{Family: o.Family}).Copy)
	if err != nil {
		return c, err
	}
	defer ref.Release()
	defer tm.Close()
	c.Timing = tm.Desc + "; contenders timed again in reverse order, the better median kept"
	flop := 2 * float64(batch) * float64(m) * float64(n) * float64(k)
	var timed []string
	for _, cand := range o.candidates(class) {
		if err := o.probe(cand, m, n, k); err != nil {
			o.tuner.Notef("%s: skipping %s: %v", what, cand, err)
			continue
		}
		med, ok, err := o.tuner.TimeChecked(o.RT, what, cand, tm, ref, out, tune.AgreeTol, &c.Rejected,
			func() { o.Record(cand, false, false, batch, m, n, k, 1, a, b, 0, out) })
		if err != nil {
			return c, err
		}
		if ok {
			c.GFLOPs[cand] = flop / o.gemmTimed(cand, 1, med).Seconds() / 1e9
			timed = append(timed, cand)
		}
	}
	// A second round, in reverse order, for every candidate within 8x of
	// the best: one run's conditions can slow a kernel for all its samples
	// (docs/performance.md, P2), which should not decide the class for
	// good.
	best := 0.0
	for _, g := range c.GFLOPs {
		best = max(best, g)
	}
	for i := len(timed) - 1; i >= 0; i-- {
		cand := timed[i]
		if c.GFLOPs[cand] < best/8 {
			continue
		}
		med, err := tm.Median(func() { o.Record(cand, false, false, batch, m, n, k, 1, a, b, 0, out) })
		if err != nil {
			return c, err
		}
		c.GFLOPs[cand] = max(c.GFLOPs[cand], flop/o.gemmTimed(cand, 2, med).Seconds()/1e9)
	}
	best = 0
	for _, cand := range timed {
		if g := c.GFLOPs[cand]; g > best {
			best, c.Kernel = g, cand
		}
	}
	if c.Kernel == "" {
		return c, fmt.Errorf("no candidate kernel for class %s", class)
	}
	return c, nil
}
