package main

import (
	"fmt"
	"math"
	"os"
	"strings"

	"simclr-vk/engine/cpu"
	"simclr-vk/internal/bound"
	"simclr-vk/layers"
	"simclr-vk/simclr/export"
	"simclr-vk/simclr/modelio"
	"simclr-vk/simclr/train"
)

func runExport(args []string) error {
	fs := newFlags("export")
	ckPath := fs.String("checkpoint", "", "checkpoint file or directory")
	out := fs.String("out", "encoder.safetensors", "output .safetensors file")
	head := fs.Bool("head", false, "also export the projection head (head.* names)")
	samples := fs.Int("check-samples", 0, "also write N fixed test images and their features (OUT.check_input.npy, OUT.check_features.npy) for tools/torch_load_check.py")
	size := fs.Int("image-size", 0, "side of the check images (0: the training size, else 32)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ckPath == "" {
		return fmt.Errorf("--checkpoint is required")
	}
	if fs.Changed("image-size") && *samples == 0 {
		return fmt.Errorf("--image-size is the side of the check images: give --check-samples N too")
	}
	if !strings.HasSuffix(*out, ".safetensors") {
		return fmt.Errorf("--out %q: the file name must end in .safetensors", *out)
	}
	stem := strings.TrimSuffix(*out, ".safetensors")
	outs := []ioPath{{"out", *out}}
	if *samples > 0 {
		outs = append(outs, ioPath{"out", stem + ".check_input.npy"}, ioPath{"out", stem + ".check_features.npy"})
	}
	if err := checkOutputs(outs, ioPath{"checkpoint", *ckPath}); err != nil {
		return err
	}
	if err := bound.Check(
		bound.Int("check-samples", int64(*samples), 0, maxSamples),
		bound.Int("image-size", int64(*size), 0, train.MaxImageSide),
		prepareOut("out", *out)); err != nil {
		return err
	}
	// Building the model checks that the checkpoint is complete and
	// consistent with its architecture; the tensors written are the
	// checkpoint's own, bit for bit.
	b := cpu.New(cpu.Options{})
	defer b.Close()
	m, ck, err := modelio.FromCheckpoint(b, *ckPath)
	if err != nil {
		return err
	}
	defer m.Release()
	for _, w := range ck.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	cfg, trained, err := modelio.ParseArchImage(ck.Meta.Arch)
	if err != nil {
		return err
	}
	s := *size
	if s == 0 {
		s = trained
	}
	if s == 0 {
		s = 32
	}
	if *samples > 0 {
		// The check images, their features and the eval-mode forward
		// pass, before anything is written.
		if err := inferMemory(cfg, s, *samples, 0, "check-samples", "image-size"); err != nil {
			return err
		}
	}
	var ts []export.Tensor
	var skipped []string
	for _, t := range export.StateDict(ck) {
		if strings.HasPrefix(t.Name, "head.") && !*head {
			skipped = append(skipped, t.Name)
			continue
		}
		ts = append(ts, t)
		if strings.HasPrefix(t.Name, "fc.") {
			fmt.Fprintf(os.Stderr, "note: exporting the fine-tuned classifier %s %v (torchvision's model.fc)\n", t.Name, t.Shape)
		}
	}
	meta := map[string]string{
		"format":              "pt",
		modelio.MetadataArch:  string(modelio.ArchJSONImage(cfg, trained)),
		"simclr_vk_source":    ck.Path,
		"simclr_vk_has_head":  fmt.Sprint(*head),
		"simclr_vk_stem_note": stemNote(cfg),
	}
	if err := mkdirFor(*out); err != nil {
		return err
	}
	if err := export.WriteSafetensors(*out, ts, meta); err != nil {
		return err
	}
	var n int
	for _, t := range ts {
		if t.DType == export.F32 {
			n += t.Numel()
		}
	}
	fmt.Printf("wrote %s: %s, %d tensors (%d float values)", *out, modelio.Describe(cfg), len(ts), n)
	if len(skipped) > 0 {
		fmt.Printf(", projection head left out (--head to include it)")
	}
	fmt.Println()
	if *samples > 0 {
		return writeCheckSamples(m, stem, *samples, s)
	}
	return nil
}

// stemNote says how to rebuild the stem in torchvision.
func stemNote(cfg layers.Config) string {
	c := cfg.Encoder.WithDefaults()
	w := layers.StageWidth(0, c.Width)
	if c.Width != 1 {
		return fmt.Sprintf("width %g is not a torchvision model: ResNet(%q, width=%g, in_channels=%d, stem=%q) from tools/torch_load_check.py", c.Width, c.Arch, c.Width, c.InChannels, string(c.Stem))
	}
	if c.Stem == layers.StemCIFAR {
		return fmt.Sprintf("model.conv1 = nn.Conv2d(%d, %d, 3, 1, 1, bias=False); model.maxpool = nn.Identity(); model.fc = nn.Identity()", c.InChannels, w)
	}
	if c.InChannels != 3 {
		return fmt.Sprintf("model.conv1 = nn.Conv2d(%d, %d, 7, 2, 3, bias=False); model.fc = nn.Identity()", c.InChannels, w)
	}
	return "model.fc = nn.Identity()"
}

// writeCheckSamples writes n fixed images (values in [0, 1]) and the
// model's eval-mode features for them.
func writeCheckSamples(m *layers.Model, stem string, n, size int) error {
	c := m.Encoder.Config.InChannels
	x := make([]float32, n*c*size*size)
	for i := range x {
		x[i] = float32(0.5 + 0.5*math.Sin(0.7*float64(i)+0.3*math.Cos(0.013*float64(i))))
	}
	b := m.Backend()
	xt := b.New(n, c, size, size)
	defer xt.Release()
	b.Upload(xt, x)
	d := m.Encoder.FeatureDim()
	ht := b.New(n, d)
	defer ht.Release()
	if err := m.Features(ht, xt); err != nil {
		return err
	}
	h := make([]float32, n*d)
	if err := b.Download(ht, h); err != nil {
		return err
	}
	if err := export.WriteNpyF32(stem+".check_input.npy", x, n, c, size, size); err != nil {
		return err
	}
	if err := export.WriteNpyF32(stem+".check_features.npy", h, n, d); err != nil {
		return err
	}
	fmt.Printf("wrote %s.check_input.npy (%d,%d,%d,%d) and %s.check_features.npy (%d,%d)\n", stem, n, c, size, size, stem, n, d)
	return nil
}
