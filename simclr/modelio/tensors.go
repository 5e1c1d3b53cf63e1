package modelio

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
)

// ModelConfig is the resolved configuration m was built with (Seed and
// ZeroInitResidual are not recoverable and left zero).
func ModelConfig(m *layers.Model) layers.Config {
	e := m.Encoder.Config
	e.ZeroInitResidual = false
	return layers.Config{Encoder: e, Head: m.Head.Config}.WithDefaults()
}

// Tensors downloads m's parameters (Kind param) and buffers (Kind buffer;
// each num_batches_tracked as a shape [] tensor holding the count) in
// state-dict order.
func Tensors(m *layers.Model) ([]checkpoint.Tensor, error) {
	b := m.Backend()
	var out []checkpoint.Tensor
	for _, s := range m.State() {
		if s.Buffer != nil && s.Buffer.IsScalar() {
			out = append(out, checkpoint.Tensor{Name: s.Name, Kind: checkpoint.KindBuffer, Shape: []int{}, Data: []float32{float32(s.Buffer.Count)}})
			continue
		}
		kind := checkpoint.KindParam
		if s.Param == nil {
			kind = checkpoint.KindBuffer
		}
		data := make([]float32, s.Tensor.Numel())
		if err := b.Download(s.Tensor, data); err != nil {
			return nil, fmt.Errorf("modelio: download %s: %w", s.Name, err)
		}
		out = append(out, checkpoint.Tensor{Name: s.Name, Kind: kind, Shape: s.Tensor.Shape(), Data: data})
	}
	return out, nil
}

// Load uploads the parameters and buffers of ck into m (see the package
// doc for the checks). A classifier fc.* (written by fine-tuning) is
// skipped. Nothing is uploaded unless every check passes.
func Load(m *layers.Model, ck *checkpoint.Checkpoint) error {
	src := checkpointSource(ck)
	_, err := src.apply(m, loadOpts{ignoreFC: true})
	return err
}

// checkpointSource is the parameters and buffers of ck (optimizer state
// left out), with its recorded architecture.
func checkpointSource(ck *checkpoint.Checkpoint) *source {
	src := &source{what: "checkpoint " + ck.Path, arch: ck.Meta.Arch, have: map[string]entry{}}
	if ck.Path == "" {
		src.what = "checkpoint"
	}
	for _, t := range ck.Tensors {
		if t.Kind != checkpoint.KindOptim {
			src.add(t.Name, t.Shape, t.Data)
		}
	}
	return src
}

// entry is one tensor of a weight source.
type entry struct {
	shape []int
	data  []float32
}

// source is a set of named tensors to load: a checkpoint or a safetensors
// file.
type source struct {
	what  string          // "checkpoint PATH" / "PATH" for messages
	arch  json.RawMessage // the source's architecture, when recorded
	have  map[string]entry
	order []string
}

func (s *source) add(name string, shape []int, data []float32) {
	if _, dup := s.have[name]; !dup {
		s.order = append(s.order, name)
	}
	s.have[name] = entry{shape, data}
}

type loadOpts struct {
	headOptional bool // a source without any head.* tensor leaves the head as it is
	ignoreFC     bool // fc.* (a torchvision classifier) is skipped with a note
}

func shapeString(s []int) string {
	p := make([]string, len(s))
	for i, d := range s {
		p[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(p, ",") + ")"
}

// listNames formats at most 5 names and the count of the others.
func listNames(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
}

// apply checks the source against m and, when everything matches, uploads.
func (s *source) apply(m *layers.Model, o loadOpts) (notes []string, err error) {
	state := m.State()
	want := map[string]bool{}
	for _, st := range state {
		want[st.Name] = true
	}
	var unexpected, fc []string
	srcHasHead := false
	for _, n := range s.order {
		if strings.HasPrefix(n, "head.") {
			srcHasHead = true
		}
		if want[n] {
			continue
		}
		if o.ignoreFC && strings.HasPrefix(n, "fc.") {
			fc = append(fc, n)
			continue
		}
		unexpected = append(unexpected, n)
	}
	var missing []string
	skipHead := o.headOptional && !srcHasHead
	for _, st := range state {
		if _, ok := s.have[st.Name]; ok {
			continue
		}
		if skipHead && strings.HasPrefix(st.Name, "head.") {
			continue
		}
		missing = append(missing, st.Name)
	}
	cfg := ModelConfig(m)
	hint := s.archHint(cfg)
	if len(missing) > 0 || len(unexpected) > 0 {
		var parts []string
		if len(missing) > 0 {
			parts = append(parts, fmt.Sprintf("lacks %d tensors the model has: %s", len(missing), listNames(missing)))
		}
		if len(unexpected) > 0 {
			parts = append(parts, fmt.Sprintf("has %d tensors the model lacks: %s", len(unexpected), listNames(unexpected)))
		}
		if hint == "" {
			hint = "a different architecture? the model is " + Describe(cfg)
		}
		return nil, fmt.Errorf("modelio: %s %s: %s", s.what, strings.Join(parts, "; "), hint)
	}
	for _, st := range state {
		e, ok := s.have[st.Name]
		if !ok {
			continue
		}
		if st.Buffer != nil && st.Buffer.IsScalar() {
			if len(e.data) != 1 {
				return nil, fmt.Errorf("modelio: %s has %s %s, model wants a scalar counter", s.what, st.Name, shapeString(e.shape))
			}
			if v := e.data[0]; v < 0 || v != float32(math.Trunc(float64(v))) {
				return nil, fmt.Errorf("modelio: %s has %s = %g, not a count", s.what, st.Name, v)
			}
			continue
		}
		ws := st.Tensor.Shape()
		if !engine.SameShape(e.shape, ws) || len(e.data) != st.Tensor.Numel() {
			h := hint
			if h == "" {
				h = shapeHint(st.Name, e.shape, ws, cfg)
			}
			msg := fmt.Sprintf("modelio: %s has %s %s, model wants %s", s.what, st.Name, shapeString(e.shape), shapeString(ws))
			if h != "" {
				msg += ": " + h
			}
			return nil, fmt.Errorf("%s", msg)
		}
	}
	b := m.Backend()
	for _, st := range state {
		e, ok := s.have[st.Name]
		if !ok {
			continue
		}
		if st.Buffer != nil && st.Buffer.IsScalar() {
			st.Buffer.Count = int64(e.data[0])
			continue
		}
		b.Upload(st.Tensor, e.data)
	}
	if err := b.Flush(); err != nil {
		return nil, fmt.Errorf("modelio: upload %s: %w", s.what, err)
	}
	if len(fc) > 0 {
		sort.Strings(fc)
		notes = append(notes, fmt.Sprintf("ignored the classifier in %s (%s): SimCLR models have no fc", s.what, strings.Join(fc, ", ")))
	}
	if skipHead {
		notes = append(notes, fmt.Sprintf("%s has no projection head: head.* keep their fresh initialisation", s.what))
	}
	return notes, nil
}

// archHint compares the source's recorded architecture with the model's.
func (s *source) archHint(model layers.Config) string {
	if len(s.arch) == 0 {
		return ""
	}
	sc, err := ParseArch(s.arch)
	if err != nil {
		return ""
	}
	if sc == model {
		return ""
	}
	return fmt.Sprintf("the weights are %s, the model is %s", Describe(sc), Describe(model))
}

// shapeHint guesses the training flag that explains a shape mismatch when
// the source records no architecture.
func shapeHint(name string, got, want []int, cfg layers.Config) string {
	if len(got) != len(want) || len(got) == 0 {
		return "a different architecture?"
	}
	if name == "conv1.weight" && len(got) == 4 {
		if got[1] != want[1] {
			return fmt.Sprintf("trained with --in-channels %d?", got[1])
		}
		if got[2] != want[2] {
			if got[2] == 3 {
				return "trained with --stem cifar?"
			}
			if got[2] == 7 {
				return "trained with --stem imagenet?"
			}
		}
	}
	if got[0] != want[0] {
		w := cfg.Encoder.Width * float64(got[0]) / float64(want[0])
		return fmt.Sprintf("trained with --width %g?", math.Round(w*1e4)/1e4)
	}
	return "a different architecture?"
}

// FromCheckpoint loads the checkpoint at path (a file or a checkpoint
// directory), builds the model its Meta.Arch describes on b and loads its
// weights. The description is checked (ParseArch's ranges, and StateSize
// against the values the checkpoint holds) before the model is built.
// Warnings about skipped unreadable or non-finite checkpoints are in
// ck.Warnings, and so is one when the file loaded holds NaN or Inf (a file
// given directly is loaded anyway).
func FromCheckpoint(b engine.Backend, path string) (*layers.Model, *checkpoint.Checkpoint, error) {
	ck, err := checkpoint.Load(path)
	if err != nil {
		return nil, nil, err
	}
	if len(ck.Meta.Arch) == 0 {
		return nil, nil, fmt.Errorf("modelio: checkpoint %s records no architecture (Meta.Arch); it was not written by simclr-vk train", ck.Path)
	}
	cfg, err := ParseArch(ck.Meta.Arch)
	if err != nil {
		return nil, nil, fmt.Errorf("modelio: checkpoint %s: %w", ck.Path, err)
	}
	if err := checkpointSource(ck).checkSize(cfg, false); err != nil {
		return nil, nil, err
	}
	m, err := layers.NewModel(b, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("modelio: checkpoint %s: %w", ck.Path, err)
	}
	if err := Load(m, ck); err != nil {
		m.Release()
		return nil, nil, err
	}
	if err := ck.CheckFinite(); err != nil {
		ck.Warnings = append(ck.Warnings, fmt.Sprintf("%s: %v: its outputs will not be meaningful", ck.Path, err))
	}
	return m, ck, nil
}
