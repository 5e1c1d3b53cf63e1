package conv

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/tune"
)

// Convolution kernel choice per problem: with autotuning on
// (Config.Tuner, from Options.Autotune: the same mode and cache file as
// the GEMM's), a GPU times every candidate of a pass (each compiled tiled
// variant that fits, the register-blocked kernel, and Winograd F(2x2,3x3)
// / F(4x4,3x3) where they compute the problem) on the first call with an
// exact problem (pass, N, C, H, W, K, R, S, strides, padding), on the
// caller's own tensors (the inputs are read, the output is written again
// by the real call after), and keeps the fastest of those whose output
// agrees with the register-blocked kernel's (internal/tune/agree.go),
// cached on disk per device and driver like the GEMM's shape classes. A
// network has few distinct layer shapes (ResNet-18: about a dozen per
// pass), so the first training step pays for the timing once per device
// and driver. CPU devices (lavapipe) use the table unless
// Config.TuneOnCPU (Options.TuneConvOnCPU): timing the candidates at
// training sizes there would take minutes.

// Choice is the kernel one convolution problem uses on a device.
type Choice struct {
	// Problem names the pass and the sizes, e.g. "conv2d_forward n256 c64
	// h32 w32 k64 r3 s3 stride1x1 pad1x1".
	Problem string `json:"problem"`
	// Kernel: tiled_<variant>, regblock_<wg>_<t> or winograd_f<m>x3; a
	// filter gradient's with _chunks_div<n> or _chunks_mul<n> where its
	// split-K target was scaled (convSplits).
	Kernel string `json:"kernel"`
	// Source: "table" (autotuning off or a CPU device), "cache" (measured
	// earlier) or "measured" (timed now and written to the cache).
	Source string             `json:"source"`
	GFLOPs map[string]float64 `json:"gflop_per_s,omitempty"` // median rate of each candidate
	Timing string             `json:"timing,omitempty"`
	Note   string             `json:"note,omitempty"` // why timing fell back to the table
	// Rejected are the candidates whose output disagreed with the table
	// kernel's (internal/tune/agree.go), with how; never chosen.
	Rejected map[string]string `json:"rejected,omitempty"`
}

// convProblem is the cache class of a convolution problem (with the
// cooperative-matrix variant appended when the device runs them: another
// set of candidates, but for float16 activations with Config.NoCoopMat16,
// whose candidates are those of a device without; then " f16" for float16
// activations, whose candidates are convCandidates16).
func (o *Ops) convProblem(pass string, p engine.Conv2DParams, f16 bool) string {
	key := fmt.Sprintf("conv2d_%s n%d c%d h%d w%d k%d r%d s%d stride%dx%d pad%dx%d",
		pass, p.N, p.C, p.H, p.W, p.K, p.R, p.S, p.StrideH, p.StrideW, p.PadH, p.PadW)
	if o.cfg.CoopMat != "" && !(f16 && o.cfg.NoCoopMat16 != "") {
		key += " " + o.cfg.CoopMat
	}
	if f16 {
		key += " f16"
	}
	return key
}

// convCandidates are the kernels timed for a pass: every tiled variant that
// fits, the register-blocked kernel the table would use, and Winograd
// where it computes the problem; for the filter gradient each (but
// Winograd) also with the other split-K targets of convSplits. With
// cooperative matrices their tiles come first, and the float32 kernels
// still compete: float32 Winograd was seen to beat every float16 tile on
// some layers (docs/performance.md, P6), and a layer in float32 is only
// more exact.
func (o *Ops) convCandidates(pass string, p engine.Conv2DParams) []convTile {
	var out []convTile
	if o.cfg.CoopMat != "" {
		out = o.convCoopMat()
	}
	for _, t := range convTiledVariants {
		if o.fits(t) {
			out = append(out, t)
		}
	}
	rows, _ := convShape(pass, p)
	out = append(out, o.convRegblock(rows, false))
	if pass == "backward_filter" {
		out = o.convSplitCandidates(p, out)
	}
	for _, t := range []convTile{convWinograd, convWinograd4} {
		if o.winogradFits(pass, p, t.winograd) {
			out = append(out, t)
		}
	}
	return out
}

// convSplitCandidates adds to a filter gradient's kernels their variants
// with the other split-K targets of convSplits, each only where it gives a
// number of reduction chunks that kernel's others do not.
func (o *Ops) convSplitCandidates(p engine.Conv2DParams, kernels []convTile) []convTile {
	var out []convTile
	for _, t := range kernels {
		n0, _ := o.convFilterChunks(p, t)
		seen := map[int]bool{n0: true}
		out = append(out, t)
		for _, s := range convSplits {
			v := t
			v.split = s
			if n, _ := o.convFilterChunks(p, v); !seen[n] {
				seen[n] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// convTuned returns the kernel of a problem, deciding it on first use from
// the cache or by timing each candidate with run (which records the pass
// on the caller's tensors with a given kernel, writing out); the table
// when timing fails, with a note.
func (o *Ops) convTuned(pass string, p engine.Conv2DParams, f16 bool, out *engine.Tensor, run func(convTile)) convTile {
	key := o.convProblem(pass, p, f16)
	if c, ok := o.choices[key]; ok {
		return c.tile
	}
	tn := o.cfg.Tuner
	tn.Load()
	dk := tune.KeyOf(o.Info)
	cands := o.convCandidates(pass, p)
	if f16 {
		cands = o.convCandidates16(pass, p)
	}
	if tn.Mode == "auto" {
		if e, ok := tn.Find(dk, key); ok {
			if i := slices.IndexFunc(cands, func(t convTile) bool { return t.name() == e.Kernel }); i >= 0 {
				o.choices[key] = choice{Choice{Problem: key, Kernel: e.Kernel, Source: "cache", GFLOPs: e.GFLOPs, Timing: e.Timing}, cands[i]}
				return cands[i]
			}
		}
	}
	if !tn.ConvAnnounced {
		tn.ConvAnnounced = true
		tn.Logf("engine/vulkan: timing the convolution kernels of each new layer shape on %s (once per device and driver; cache: %s)", o.Info.Name, tn.Path)
	}
	// Decide (and maybe time) the GEMM class of the Winograd products now,
	// not nested inside this problem's timing.
	for _, t := range cands {
		if t.winograd == 0 {
			continue
		}
		q := p
		if pass == "backward_data" {
			q = engine.WinogradDataParams(p)
		}
		tp, tq := engine.WinogradTiles(q, t.winograd)
		if pass == "backward_filter" {
			o.winogradFilterGemm((t.winograd+2)*(t.winograd+2), q.K, q.C, q.N*tp*tq)
		} else {
			a := t.winograd + 2
			o.cfg.Gemm.Choice(gemm.Class(a*a, q.K, q.N*tp*tq, q.C))
		}
	}
	c, err := o.measureConv(key, pass, p, f16, cands, out, run)
	if err != nil {
		t := o.convTableTile(pass, p)
		if f16 {
			t = o.convTableTile16(pass, p)
		}
		if len(c.Rejected) > 0 {
			// Every candidate disagreed with the reference (on
			// cooperative matrices the table's kernel is one of them):
			// run the reference.
			rows, _ := convShape(pass, p)
			t = o.convRegblock(rows, f16)
		}
		tn.Notef("conv autotune of %s failed, using %s: %v", key, t.name(), err)
		o.choices[key] = choice{Choice{Problem: key, Kernel: t.name(), Source: "table", Note: err.Error()}, t}
		return t
	}
	rows, cols := convShape(pass, p)
	tn.Store(tune.Entry{Key: dk, Device: o.Info.Name, Class: key, Kernel: c.Kernel,
		Problem: [3]int{rows, cols, int(p.Flops() / 2 / float64(rows) / float64(cols))},
		GFLOPs:  c.GFLOPs, Timing: c.Timing, Measured: time.Now().UTC().Format(time.RFC3339)})
	return o.choices[key].tile
}

// measureConv times each candidate with run and records the fastest of
// those whose output (out, after the timed runs) agrees with the
// register-blocked kernel's (the reference: internal/tune/agree.go; the
// float16 one for float16 activations, whose outputs are compared through
// a float32 copy, f16Check).
func (o *Ops) measureConv(key, pass string, p engine.Conv2DParams, f16 bool, cands []convTile, out *engine.Tensor, run func(convTile)) (Choice, error) {
	defer o.cfg.Tuner.AddSpent(time.Now())
	flops := p.Flops()
	c := Choice{Problem: key, Source: "measured", GFLOPs: map[string]float64{}}
	rows, _ := convShape(pass, p)
	reference := o.convRegblock(rows, f16)
	if out.DType() == engine.Float16 {
		check, checked, done, err := o.f16Check(out, run)
		if err != nil {
			return c, err
		}
		defer done()
		out, run = check, checked
	}
	run(reference)
	what := "conv autotune of " + key
	ref, tm, err := o.cfg.Tuner.Setup(o.RT, what, out, false, o.cfg.Elt.Copy)
	if err != nil {
		return c, err
	}
	defer ref.Release()
	defer tm.Close()
	c.Timing = tm.Desc
	best, bestTile := 0.0, convTile{}
	for _, t := range cands {
		if err := o.probeConv(pass, p, t); err != nil {
			o.cfg.Tuner.Notef("%s: skipping %s: %v", what, t.name(), err)
			continue
		}
		tol := tune.AgreeTol
		// Winograd's products go through the GEMM choice, float16 where
		// GemmVariant forces a cooperative-matrix GEMM.
		if t.cm || (t.winograd != 0 && strings.HasPrefix(o.cfg.Gemm.Forced(), "coopmat")) {
			tol = tune.AgreeTolCoopMat
		}
		if f16 {
			tol += f16AgreeTol
		}
		med, ok, err := o.cfg.Tuner.TimeChecked(o.RT, what, t.name(), tm, ref, out, tol, &c.Rejected, func() { run(t) })
		if err != nil {
			return c, err
		}
		if !ok {
			continue
		}
		gf := flops / med.Seconds() / 1e9
		c.GFLOPs[t.name()] = gf
		if gf > best {
			best, bestTile, c.Kernel = gf, t, t.name()
		}
	}
	if c.Kernel == "" {
		return c, fmt.Errorf("no candidate kernel for %s", key)
	}
	o.choices[key] = choice{c, bestTile}
	return c, nil
}

// choice is a decided problem: the report and the kernel.
type choice struct {
	Choice
	tile convTile
}

// Plan returns the kernel of every convolution problem decided so far
// (by autotuning; table choices are not recorded), sorted by problem.
func (o *Ops) Plan() []Choice {
	out := make([]Choice, 0, len(o.choices))
	for _, k := range slices.Sorted(maps.Keys(o.choices)) {
		out = append(out, o.choices[k].Choice)
	}
	return out
}

// Kernel returns the kernel a pass ("forward", "backward_data" or
// "backward_filter") of a problem uses now and where the choice came from:
// the autotuned choice once the problem has run with autotuning on, else
// the table's.
func (o *Ops) Kernel(pass string, p engine.Conv2DParams) (kernel, source string) {
	return o.KernelOf(pass, p, false)
}

// KernelOf is Kernel for float32 activations (f16 false) or float16 ones.
func (o *Ops) KernelOf(pass string, p engine.Conv2DParams, f16 bool) (kernel, source string) {
	if c, ok := o.choices[o.convProblem(pass, p, f16)]; ok {
		return c.Kernel, c.Source
	}
	src := "table"
	if o.cfg.Variant != "" {
		src = "forced"
	}
	if f16 {
		return o.convTableTile16(pass, p).name(), src
	}
	return o.convTableTile(pass, p).name(), src
}

// probeConv builds the pipelines of a candidate's own shaders, so that a
// kernel this driver cannot compile is skipped by the tuner instead of
// becoming the Device's sticky error (the Winograd GEMM's kernel was
// decided, and probed, by the GEMM tuner).
func (o *Ops) probeConv(pass string, p engine.Conv2DParams, t convTile) error {
	if t.winograd != 0 {
		f := fmt.Sprintf("_f%d", t.winograd)
		shaders := []string{"winograd_filter_transform" + f, "winograd_input_transform" + f, "winograd_output_transform" + f}
		if pass == "backward_filter" {
			shaders = []string{"winograd_input_transform" + f, "winograd_grad_transform" + f, "winograd_filter_grad_transform" + f}
		}
		for _, sh := range shaders {
			if err := o.RT.Pipeline(sh, nil, 2); err != nil {
				return err
			}
		}
		return nil
	}
	n := 3
	if t.cm {
		n = 4 // the input maxima (coopMatMax)
	}
	err := o.RT.Pipeline(t.shader(pass), t.spec(isDirect1x1(p)), n)
	return err
}
