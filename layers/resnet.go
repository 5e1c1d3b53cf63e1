package layers

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"simclr-vk/engine"
)

// Stem selects the first layers of a ResNet.
type Stem string

const (
	// StemImageNet: conv 7x7 stride 2 pad 3, BN, ReLU, max-pool 3x3 stride 2 pad 1.
	StemImageNet Stem = "imagenet"
	// StemCIFAR: conv 3x3 stride 1 pad 1, BN, ReLU, no max-pool (images <= 32 px).
	StemCIFAR Stem = "cifar"
)

// ResNetConfig selects a ResNet encoder.
type ResNetConfig struct {
	Arch       string  // "resnet18", "resnet34" or "resnet50"
	Stem       Stem    // StemImageNet (default) or StemCIFAR
	Width      float64 // channel multiplier on every stage; 1 (default) = 64 base channels
	InChannels int     // input channels (default 3; 1 for grayscale)
	// ZeroInitResidual sets gamma = 0 on the last BN of every block
	// (torchvision zero_init_residual, the SimCLR reference's default).
	ZeroInitResidual bool
}

// archs: block kind and blocks per stage.
var archs = map[string]struct {
	bottleneck bool
	blocks     [4]int
}{
	"resnet18": {false, [4]int{2, 2, 2, 2}},
	"resnet34": {false, [4]int{3, 4, 6, 3}},
	"resnet50": {true, [4]int{3, 4, 6, 3}},
}

// Archs lists the supported architectures, sorted.
func Archs() []string { return slices.Sorted(maps.Keys(archs)) }

// ArchBlocks reports whether arch is built of bottleneck blocks and its
// blocks per stage; ok is false for an architecture Archs does not list.
func ArchBlocks(arch string) (bottleneck bool, blocks [4]int, ok bool) {
	a, ok := archs[arch]
	return a.bottleneck, a.blocks, ok
}

// StageWidth is the number of planes of stage i (0..3) at multiplier w:
// round(64 * 2^i * w), at least 1.
func StageWidth(i int, w float64) int {
	return max(1, int(math.Round(64*float64(int(1)<<i)*w)))
}

// BasicBlock is torchvision's BasicBlock (ResNet-18/34): conv3x3(stride) -
// BN - ReLU - conv3x3 - BN, plus the shortcut, then ReLU.
type BasicBlock struct {
	Conv1      *Conv2d
	BN1        *BatchNorm
	Conv2      *Conv2d
	BN2        *BatchNorm
	Downsample *Sequential // nil: identity shortcut
}

// Forward runs the block.
func (blk *BasicBlock) Forward(t *Tape, x *Var) *Var {
	return residualForward(t, x, []*Conv2d{blk.Conv1, blk.Conv2}, []*BatchNorm{blk.BN1, blk.BN2}, blk.Downsample)
}

// State lists conv1, bn1, conv2, bn2, downsample.0, downsample.1.
func (blk *BasicBlock) State() []NamedTensor {
	return residualState(blk.Downsample, blk.Conv1, blk.BN1, blk.Conv2, blk.BN2)
}

// Bottleneck is torchvision's Bottleneck v1.5 (ResNet-50): conv1x1 - BN -
// ReLU - conv3x3(stride) - BN - ReLU - conv1x1 (4x planes) - BN, plus the
// shortcut, then ReLU.
type Bottleneck struct {
	Conv1      *Conv2d
	BN1        *BatchNorm
	Conv2      *Conv2d
	BN2        *BatchNorm
	Conv3      *Conv2d
	BN3        *BatchNorm
	Downsample *Sequential
}

// Forward runs the block.
func (blk *Bottleneck) Forward(t *Tape, x *Var) *Var {
	return residualForward(t, x, []*Conv2d{blk.Conv1, blk.Conv2, blk.Conv3}, []*BatchNorm{blk.BN1, blk.BN2, blk.BN3}, blk.Downsample)
}

// State lists conv1, bn1, conv2, bn2, conv3, bn3, downsample.
func (blk *Bottleneck) State() []NamedTensor {
	return residualState(blk.Downsample, blk.Conv1, blk.BN1, blk.Conv2, blk.BN2, blk.Conv3, blk.BN3)
}

// residualForward runs a residual block: convs[i] then bns[i] in turn, with
// the ReLU fused into every batch norm but the last, then ReLU(out +
// shortcut), the shortcut being down(x), or x itself when down is nil.
func residualForward(t *Tape, x *Var, convs []*Conv2d, bns []*BatchNorm, down *Sequential) *Var {
	t.pin(x) // read again by the shortcut
	out := t.BatchNormOp(convs[0].Forward(t, x), bns[0], true)
	t.unpin(x)
	for i := 1; i < len(convs); i++ {
		out = t.BatchNormOp(convs[i].Forward(t, out), bns[i], i < len(convs)-1)
	}
	id := x
	if down != nil {
		id = down.Forward(t, x)
	}
	return t.AddReLU(out, id)
}

// residualState lists the state of mods in order, then down's (if any).
func residualState(down *Sequential, mods ...Module) []NamedTensor {
	var s []NamedTensor
	for _, m := range mods {
		s = append(s, m.State()...)
	}
	if down != nil {
		s = append(s, down.State()...)
	}
	return s
}

// ResNet is a torchvision ResNet without its classifier: the output is the
// pooled feature h (N, FeatureDim()). Parameter names are torchvision's
// (conv1.weight, bn1.*, layer1.0.conv1.weight, layer2.0.downsample.0.weight).
type ResNet struct {
	Config  ResNetConfig
	Conv1   *Conv2d
	BN1     *BatchNorm
	Pool    *MaxPool // nil for the CIFAR stem
	Layers  [4][]Module
	featDim int
}

// NewResNet builds a ResNet with torchvision's initialisation drawn from
// seed (see InitResNet). Shapes are checked here; no forward runs.
func NewResNet(b engine.Backend, cfg ResNetConfig, seed uint64) (*ResNet, error) {
	r, err := newResNetShapes(b, cfg)
	if err != nil {
		return nil, err
	}
	InitResNet(b, r, seed)
	return r, nil
}

// WithDefaults returns c with the defaults NewResNet applies to zero fields:
// resnet18, the ImageNet stem, width 1, 3 input channels.
func (c ResNetConfig) WithDefaults() ResNetConfig {
	if c.Arch == "" {
		c.Arch = "resnet18"
	}
	if c.Stem == "" {
		c.Stem = StemImageNet
	}
	if c.Width == 0 {
		c.Width = 1
	}
	if c.InChannels == 0 {
		c.InChannels = 3
	}
	return c
}

// FeatureDim is the width of the features h of the encoder c builds (512
// for ResNet-18/34, 2048 for ResNet-50, times the width multiplier), 0 for
// an unknown architecture.
func (c ResNetConfig) FeatureDim() int {
	c = c.WithDefaults()
	a, ok := archs[c.Arch]
	if !ok {
		return 0
	}
	if a.bottleneck {
		return 4 * StageWidth(3, c.Width)
	}
	return StageWidth(3, c.Width)
}

func newResNetShapes(b engine.Backend, cfg ResNetConfig) (*ResNet, error) {
	cfg = cfg.WithDefaults()
	a, ok := archs[cfg.Arch]
	if !ok {
		return nil, fmt.Errorf("layers: unknown architecture %q (have %s)", cfg.Arch, strings.Join(Archs(), ", "))
	}
	if cfg.Width < 0 || cfg.InChannels < 0 {
		return nil, fmt.Errorf("layers: invalid width %g or input channels %d", cfg.Width, cfg.InChannels)
	}
	r := &ResNet{Config: cfg}
	stemC := StageWidth(0, cfg.Width)
	switch cfg.Stem {
	case StemImageNet:
		r.Conv1 = NewConv2d(b, "conv1", cfg.InChannels, stemC, 7, 2, 3, false)
		r.Pool = &MaxPool{K: 3, Stride: 2, Pad: 1}
	case StemCIFAR:
		r.Conv1 = NewConv2d(b, "conv1", cfg.InChannels, stemC, 3, 1, 1, false)
	default:
		return nil, fmt.Errorf("layers: unknown stem %q (have imagenet, cifar)", cfg.Stem)
	}
	r.BN1 = NewBatchNorm(b, "bn1", stemC, true)
	in := stemC
	expansion := 1
	if a.bottleneck {
		expansion = 4
	}
	for s := 0; s < 4; s++ {
		planes := StageWidth(s, cfg.Width)
		for i := 0; i < a.blocks[s]; i++ {
			stride := 1
			if s > 0 && i == 0 {
				stride = 2
			}
			name := fmt.Sprintf("layer%d.%d", s+1, i)
			var ds *Sequential
			if stride != 1 || in != planes*expansion {
				ds = &Sequential{Mods: []Module{
					NewConv2d(b, name+".downsample.0", in, planes*expansion, 1, stride, 0, false),
					NewBatchNorm(b, name+".downsample.1", planes*expansion, true),
				}}
			}
			if a.bottleneck {
				r.Layers[s] = append(r.Layers[s], &Bottleneck{
					Conv1:      NewConv2d(b, name+".conv1", in, planes, 1, 1, 0, false),
					BN1:        NewBatchNorm(b, name+".bn1", planes, true),
					Conv2:      NewConv2d(b, name+".conv2", planes, planes, 3, stride, 1, false),
					BN2:        NewBatchNorm(b, name+".bn2", planes, true),
					Conv3:      NewConv2d(b, name+".conv3", planes, planes*4, 1, 1, 0, false),
					BN3:        NewBatchNorm(b, name+".bn3", planes*4, true),
					Downsample: ds,
				})
			} else {
				r.Layers[s] = append(r.Layers[s], &BasicBlock{
					Conv1:      NewConv2d(b, name+".conv1", in, planes, 3, stride, 1, false),
					BN1:        NewBatchNorm(b, name+".bn1", planes, true),
					Conv2:      NewConv2d(b, name+".conv2", planes, planes, 3, 1, 1, false),
					BN2:        NewBatchNorm(b, name+".bn2", planes, true),
					Downsample: ds,
				})
			}
			in = planes * expansion
		}
	}
	r.featDim = in
	return r, nil
}

// FeatureDim is the width of h, the pooled output (512 for ResNet-18/34,
// 2048 for ResNet-50, times the width multiplier).
func (r *ResNet) FeatureDim() int { return r.featDim }

// Forward maps x (N, InChannels, H, W) to h (N, FeatureDim()): the stages
// in order, then global average pooling.
func (r *ResNet) Forward(t *Tape, x *Var) *Var {
	for s := range NumStages {
		x = r.ForwardStage(t, x, s)
	}
	return t.GlobalAvgPool(x)
}

// NumStages is the number of stages of a ResNet: 0 the stem (conv1, bn1,
// ReLU [, max-pool]), 1-4 layer1..layer4.
const NumStages = 5

// ForwardStage runs stage s (0..NumStages-1) on t. Fine-tuning runs the
// frozen stages on an eval-mode tape and the others on a training tape.
func (r *ResNet) ForwardStage(t *Tape, x *Var, s int) *Var {
	if s == 0 {
		x = t.BatchNormOp(r.Conv1.Forward(t, x), r.BN1, true)
		if r.Pool != nil {
			x = r.Pool.Forward(t, x)
		}
		return x
	}
	for _, blk := range r.Layers[s-1] {
		x = blk.Forward(t, x)
	}
	return x
}

// StageModules lists the modules holding the state of stage s, in
// state-dict order.
func (r *ResNet) StageModules(s int) []Module {
	if s == 0 {
		return []Module{r.Conv1, r.BN1}
	}
	return r.Layers[s-1]
}

// State lists the state dict in torchvision order.
func (r *ResNet) State() []NamedTensor {
	var st []NamedTensor
	for s := range NumStages {
		for _, m := range r.StageModules(s) {
			st = append(st, m.State()...)
		}
	}
	return st
}

// Release frees the encoder's device tensors.
func (r *ResNet) Release() { releaseState(r) }
