package layers_test

import (
	"testing"

	"simclr-vk/engine"
	"simclr-vk/layers"
)

// shapeBackend allocates tensors without storage: enough to build a model
// and count its parameters without memory or compute. Any compute op panics
// (nil embedded interface).
type shapeBackend struct{ engine.Backend }

func (s *shapeBackend) Name() string                     { return "shape" }
func (s *shapeBackend) New(shape ...int) *engine.Tensor  { return engine.NewTensor(s, nil, shape...) }
func (s *shapeBackend) Fill(*engine.Tensor, float32)     {}
func (s *shapeBackend) Upload(*engine.Tensor, []float32) {}
func (s *shapeBackend) Release(t *engine.Tensor)         { t.MarkReleased() }
func (s *shapeBackend) Err() error                       { return nil }

func shapeModel(t *testing.T, cfg layers.ResNetConfig) *layers.ResNet {
	t.Helper()
	r, err := layers.NewResNet(&shapeBackend{}, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Counts from torchvision: sum(p.numel() for p in resnetXX().parameters())
// minus the fc layer (512*1000+1000 and 2048*1000+1000).
func TestParamCountsMatchTorchvision(t *testing.T) {
	for _, c := range []struct {
		arch           string
		params         int
		nParams, nBufs int // tensors in parameters() / buffers() without fc
	}{
		{"resnet18", 11176512, 60, 60},
		{"resnet34", 21284672, 108, 108},
		{"resnet50", 23508032, 159, 159},
	} {
		r := shapeModel(t, layers.ResNetConfig{Arch: c.arch, Stem: layers.StemImageNet, Width: 1, InChannels: 3})
		if got := layers.CountParams(r); got != c.params {
			t.Errorf("%s: %d parameters, torchvision has %d", c.arch, got, c.params)
		}
		if got := len(layers.Params(r)); got != c.nParams {
			t.Errorf("%s: %d parameter tensors, want %d", c.arch, got, c.nParams)
		}
		if got := len(layers.Buffers(r)); got != c.nBufs {
			t.Errorf("%s: %d buffers, want %d", c.arch, got, c.nBufs)
		}
	}
}

func TestFeatureDimAndWidth(t *testing.T) {
	for _, c := range []struct {
		cfg  layers.ResNetConfig
		feat int
	}{
		{layers.ResNetConfig{Arch: "resnet18"}, 512},
		{layers.ResNetConfig{Arch: "resnet18", Width: 0.25, Stem: layers.StemCIFAR, InChannels: 1}, 128},
		{layers.ResNetConfig{Arch: "resnet34", Width: 1.0 / 16}, 32},
		{layers.ResNetConfig{Arch: "resnet50"}, 2048},
		{layers.ResNetConfig{Arch: "resnet50", Width: 0.5}, 1024},
		{layers.ResNetConfig{Arch: "resnet18", Width: 0.001}, 1}, // every stage rounds up to 1 channel
	} {
		if got := shapeModel(t, c.cfg).FeatureDim(); got != c.feat {
			t.Errorf("%+v: FeatureDim %d, want %d", c.cfg, got, c.feat)
		}
		if got := c.cfg.FeatureDim(); got != c.feat {
			t.Errorf("%+v: ResNetConfig.FeatureDim %d, want %d", c.cfg, got, c.feat)
		}
	}
	if _, err := layers.NewResNet(&shapeBackend{}, layers.ResNetConfig{Arch: "resnet19"}, 1); err == nil {
		t.Error("unknown arch accepted")
	}
	if _, err := layers.NewResNet(&shapeBackend{}, layers.ResNetConfig{Stem: "big"}, 1); err == nil {
		t.Error("unknown stem accepted")
	}
}

func stateShapes(m layers.Module) map[string][]int {
	s := map[string][]int{}
	for _, e := range m.State() {
		if e.Tensor == nil {
			s[e.Name] = nil
		} else {
			s[e.Name] = e.Tensor.Shape()
		}
	}
	return s
}

func TestTorchvisionNames(t *testing.T) {
	r18 := shapeModel(t, layers.ResNetConfig{Arch: "resnet18", InChannels: 1})
	want := map[string][]int{
		"conv1.weight":                      {64, 1, 7, 7},
		"bn1.weight":                        {64},
		"bn1.bias":                          {64},
		"bn1.running_mean":                  {64},
		"bn1.num_batches_tracked":           nil,
		"layer1.0.conv1.weight":             {64, 64, 3, 3},
		"layer2.0.conv1.weight":             {128, 64, 3, 3},
		"layer2.0.downsample.0.weight":      {128, 64, 1, 1},
		"layer2.0.downsample.1.running_var": {128},
		"layer4.1.bn2.bias":                 {512},
		"layer4.1.bn2.num_batches_tracked":  nil,
	}
	checkNames(t, "resnet18", stateShapes(r18), want)
	if _, ok := stateShapes(r18)["layer1.0.downsample.0.weight"]; ok {
		t.Error("resnet18 layer1.0 has a downsample; torchvision's has none")
	}
	r50 := shapeModel(t, layers.ResNetConfig{Arch: "resnet50", Stem: layers.StemCIFAR})
	checkNames(t, "resnet50", stateShapes(r50), map[string][]int{
		"conv1.weight":                 {64, 3, 3, 3},
		"layer1.0.conv3.weight":        {256, 64, 1, 1},
		"layer1.0.downsample.0.weight": {256, 64, 1, 1},
		"layer2.0.conv2.weight":        {128, 128, 3, 3}, // stride on the 3x3 (v1.5)
		"layer3.5.bn3.running_mean":    {1024},
		"layer4.2.conv3.weight":        {2048, 512, 1, 1},
	})
	// state_dict order: per module weight, bias, running_mean, running_var, num_batches_tracked.
	st := r18.State()
	order := []string{"conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight"}
	for i, n := range order {
		if st[i].Name != n {
			t.Errorf("state[%d] = %s, want %s", i, st[i].Name, n)
		}
	}
	for _, p := range layers.Params(r18) {
		isBN := p.Value.Rank() == 1
		if p.NoDecay != isBN {
			t.Errorf("%s: NoDecay %v", p.Name, p.NoDecay)
		}
	}
}

func TestHeadNames(t *testing.T) {
	b := &shapeBackend{}
	h, err := layers.NewHead(b, 512, layers.HeadConfig{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, "head v1", stateShapes(h), map[string][]int{
		"head.0.weight": {512, 512}, "head.0.bias": {512},
		"head.1.weight": {512}, "head.1.bias": {512}, "head.1.running_var": {512},
		"head.3.weight": {128, 512}, "head.3.bias": {128},
	})
	if n := len(h.State()); n != 2+5+2 {
		t.Errorf("head v1 has %d state entries, want 9", n)
	}
	h, err = layers.NewHead(b, 64, layers.HeadConfig{Layers: 3, Hidden: 32, Out: 16, NoBias: true, LastBN: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"head.0.weight": {32, 64}, "head.1.weight": {32}, "head.1.bias": {32},
		"head.3.weight": {32, 32}, "head.4.weight": {32},
		"head.6.weight": {16, 32}, "head.7.weight": {16}, "head.7.running_mean": {16},
	}
	got := stateShapes(h)
	checkNames(t, "head v2", got, want)
	for _, absent := range []string{"head.0.bias", "head.7.bias", "head.6.bias"} {
		if _, ok := got[absent]; ok {
			t.Errorf("head v2 has %s", absent)
		}
	}
	h, err = layers.NewHead(b, 64, layers.HeadConfig{NoBN: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, "head without BN", stateShapes(h), map[string][]int{
		"head.0.weight": {64, 64}, "head.0.bias": {64}, "head.2.weight": {128, 64}, "head.2.bias": {128},
	})
	if n := len(h.State()); n != 4 {
		t.Errorf("head without BN has %d state entries, want 4", n)
	}
}

func checkNames(t *testing.T, what string, got, want map[string][]int) {
	t.Helper()
	for n, s := range want {
		g, ok := got[n]
		if !ok {
			t.Errorf("%s: no %s", what, n)
			continue
		}
		if !engine.SameShape(g, s) {
			t.Errorf("%s: %s has shape %v, want %v", what, n, g, s)
		}
	}
}
