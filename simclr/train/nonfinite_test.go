package train

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/simclr/checkpoint"
)

// TestResumeNonFinite: a checkpoint holding NaN is never resumed nor
// reported as the last good one: given as a file it is refused naming the
// tensor; as the newest of the run directory it is skipped with a warning
// and the run resumes from the previous one.
func TestResumeNonFinite(t *testing.T) {
	cfg := trainedToy(t, 2)
	files, _ := checkpoint.List(cfg.Out)
	if len(files) != 2 {
		t.Fatalf("checkpoints %v, want 2", files)
	}
	ck, err := checkpoint.Read(files[1])
	if err != nil {
		t.Fatal(err)
	}
	var p *checkpoint.Tensor
	for i := range ck.Tensors {
		if ck.Tensors[i].Kind == checkpoint.KindParam {
			p = &ck.Tensors[i]
			break
		}
	}
	p.Data[3] = float32(math.NaN())
	if err := checkpoint.Write(files[1], ck); err != nil {
		t.Fatal(err)
	}
	file := cfg
	file.Resume = files[1]
	file.Out = filepath.Join(t.TempDir(), "from-file")
	file.Epochs = 3
	_, _, err = runToy(t, context.Background(), file, Options{})
	if !errors.Is(err, checkpoint.ErrNonFinite) || !strings.Contains(err.Error(), files[1]) || !strings.Contains(err.Error(), p.Name+"[3] = NaN") {
		t.Fatalf("resume from the NaN file: %v", err)
	}
	fromDir := cfg
	fromDir.Resume = cfg.Out
	fromDir.Out = filepath.Join(t.TempDir(), "from-dir")
	fromDir.Epochs = 3
	res, log, err := runToy(t, context.Background(), fromDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "warning: skipped: checkpoint: "+files[1]) || !strings.Contains(log, "resumed from "+files[0]) {
		t.Errorf("resume from the directory did not skip %s for %s", files[1], files[0])
	}
	if res.GlobalStep != 6 {
		t.Errorf("global step %d, want 6", res.GlobalStep)
	}
}
