package modelio

import (
	"fmt"
	"io"
	"os"
	"strings"

	"simclr-vk/internal/regfile"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/export"
)

// MetadataArch is the safetensors metadata key holding ArchJSON.
const MetadataArch = "simclr_vk_arch"

// InitFrom loads the weights at path (safetensors with torchvision names, or
// a simclr-vk checkpoint) into m, printing the notes of InitFromNotes to
// stderr.
func InitFrom(m *layers.Model, path string) error {
	notes, err := InitFromNotes(m, path)
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, "note:", n)
	}
	return err
}

// InitFromNotes is InitFrom returning its notes (classifier ignored, head
// kept, name prefix stripped) instead of printing them.
func InitFromNotes(m *layers.Model, path string) ([]string, error) {
	src, notes, err := ReadWeights(path)
	if err != nil {
		return nil, err
	}
	more, err := src.Apply(m)
	return append(notes, more...), err
}

// Weights are named tensors read from a file by ReadWeights.
type Weights struct{ source }

// Arch is the architecture the file records (nil when none).
func (w *Weights) Arch() []byte { return w.arch }

// Names lists the tensors in file order.
func (w *Weights) Names() []string { return w.order }

// ReadWeights reads a safetensors file or a simclr-vk checkpoint (file or
// directory) as named float32 tensors (I64 converted; F16, BF16 and F64
// read as float32, with a note counting them). A common prefix in
// front of torchvision's names ("backbone.", "encoder.", "module.") is
// stripped, with a note. A recorded architecture needing more values than
// the file holds is refused (see StateSize).
func ReadWeights(path string) (*Weights, []string, error) {
	w := &Weights{source{what: path, have: map[string]entry{}}}
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("modelio: read weights: %w", err)
	}
	isCk := st.IsDir()
	if !isCk {
		f, _, err := regfile.Open(path) // a FIFO would block the sniff
		if err != nil {
			return nil, nil, fmt.Errorf("modelio: read weights: %w", err)
		}
		head := make([]byte, 8)
		_, err = io.ReadFull(f, head)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("modelio: read weights %s: too short for safetensors or a checkpoint", path)
		}
		isCk = string(head) == checkpoint.Magic
	}
	if isCk {
		ck, err := checkpoint.Load(path)
		if err != nil {
			return nil, nil, err
		}
		cw := &Weights{*checkpointSource(ck)}
		if err := cw.checkArch(); err != nil {
			return nil, nil, err
		}
		return cw, nil, nil
	}
	sf, err := export.ReadSafetensors(path)
	if err != nil {
		return nil, nil, err
	}
	if a, ok := sf.Metadata[MetadataArch]; ok {
		w.arch = []byte(a)
	}
	prefix := commonPrefix(sf.Tensors)
	var notes []string
	if prefix != "" {
		notes = append(notes, fmt.Sprintf("%s: stripped the prefix %q from tensor names", path, prefix))
	}
	var outside []string
	widened := map[string]int{} // dtype -> tensors read as float32
	for _, t := range sf.Tensors {
		data := t.F32
		if t.DType == export.I64 {
			data = make([]float32, len(t.I64))
			for i, v := range t.I64 {
				data[i] = float32(v)
			}
		}
		name := t.Name
		if prefix != "" {
			if !strings.HasPrefix(name, prefix) {
				outside = append(outside, name) // e.g. a classifier next to "backbone.*"
				continue
			}
			name = strings.TrimPrefix(name, prefix)
		}
		switch t.DType {
		case export.F16, export.BF16, export.F64:
			widened[t.DType]++
		}
		w.add(name, t.Shape, data)
	}
	if len(outside) > 0 {
		notes = append(notes, fmt.Sprintf("%s: ignored %d tensors outside %q: %s", path, len(outside), prefix, listNames(outside)))
	}
	for _, dt := range []string{export.F16, export.BF16, export.F64} {
		if n := widened[dt]; n > 0 {
			notes = append(notes, fmt.Sprintf("%s: read %d %s tensors as float32", path, n, dt))
		}
	}
	if err := w.checkArch(); err != nil {
		return nil, nil, err
	}
	return w, notes, nil
}

// checkArch refuses a recorded architecture whose encoder needs more
// values than the file holds (a damaged description would otherwise size
// the model a caller builds from Arch). A description that does not parse
// is left to the caller's ParseArch, which reports it.
func (w *Weights) checkArch() error {
	if len(w.arch) == 0 {
		return nil
	}
	cfg, err := ParseArch(w.arch)
	if err != nil {
		return nil
	}
	return w.checkSize(cfg, true)
}

// commonPrefix finds the prefix P such that P+"conv1.weight" and
// P+"bn1.weight" exist, when plain "conv1.weight" does not.
func commonPrefix(ts []export.Tensor) string {
	names := map[string]bool{}
	for _, t := range ts {
		names[t.Name] = true
	}
	if names["conv1.weight"] {
		return ""
	}
	var cands []string
	for n := range names {
		if p, ok := strings.CutSuffix(n, "conv1.weight"); ok && strings.HasSuffix(p, ".") &&
			!strings.Contains(p, "layer") && names[p+"bn1.weight"] {
			cands = append(cands, p)
		}
	}
	if len(cands) != 1 {
		return ""
	}
	return cands[0]
}

// Apply loads w into m as InitFromNotes does.
func (w *Weights) Apply(m *layers.Model) ([]string, error) {
	return w.apply(m, loadOpts{headOptional: true, ignoreFC: true})
}
