package layers

import (
	"math"
	"math/rand/v2"

	"simclr-vk/engine"
)

// newRNG is the host RNG every initialiser draws from (PCG, seeded), so a
// seed gives the same weights on every backend.
func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x51c1a)) }

// InitConvKaiming fills a conv weight as torchvision's ResNet does:
// kaiming_normal_(mode="fan_out", nonlinearity="relu"), i.e. N(0, 2/fan_out)
// with fan_out = Out*K*K. A bias, if any, is set to 0.
func InitConvKaiming(b engine.Backend, c *Conv2d, rng *rand.Rand) {
	std := math.Sqrt(2 / float64(c.Out*c.K*c.K))
	w := make([]float32, c.Weight.Numel())
	for i := range w {
		w[i] = float32(rng.NormFloat64() * std)
	}
	b.Upload(c.Weight.Value, w)
	if c.Bias != nil {
		b.Fill(c.Bias.Value, 0)
	}
}

// InitLinearDefault fills a linear layer as torch.nn.Linear.reset_parameters:
// weight kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), bias
// U(-1/sqrt(in), 1/sqrt(in)).
func InitLinearDefault(b engine.Backend, l *Linear, rng *rand.Rand) {
	bound := 1 / math.Sqrt(float64(l.In))
	w := make([]float32, l.Weight.Numel())
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * bound)
	}
	b.Upload(l.Weight.Value, w)
	if l.Bias != nil {
		bb := make([]float32, l.Out)
		for i := range bb {
			bb[i] = float32((2*rng.Float64() - 1) * bound)
		}
		b.Upload(l.Bias.Value, bb)
	}
}

// InitBatchNorm sets gamma to g, beta to 0, running stats to (0, 1) and the
// batch counter to 0.
func InitBatchNorm(b engine.Backend, bn *BatchNorm, g float32) {
	b.Fill(bn.Gamma.Value, g)
	if bn.Beta != nil {
		b.Fill(bn.Beta.Value, 0)
	}
	b.Fill(bn.RunningMean.Value, 0)
	b.Fill(bn.RunningVar.Value, 1)
	bn.NumBatchesTracked.Count = 0
}

// InitResNet initialises r as torchvision does (convs Kaiming normal fan_out,
// BN gamma 1 / beta 0; gamma 0 on the last BN of each block when
// r.Config.ZeroInitResidual), drawing in state-dict order from seed.
func InitResNet(b engine.Backend, r *ResNet, seed uint64) {
	rng := newRNG(seed)
	InitConvKaiming(b, r.Conv1, rng)
	InitBatchNorm(b, r.BN1, 1)
	for s := range r.Layers {
		for _, m := range r.Layers[s] {
			var convs []*Conv2d
			var bns []*BatchNorm
			var ds *Sequential
			switch blk := m.(type) {
			case *BasicBlock:
				convs, bns, ds = []*Conv2d{blk.Conv1, blk.Conv2}, []*BatchNorm{blk.BN1, blk.BN2}, blk.Downsample
			case *Bottleneck:
				convs, bns, ds = []*Conv2d{blk.Conv1, blk.Conv2, blk.Conv3}, []*BatchNorm{blk.BN1, blk.BN2, blk.BN3}, blk.Downsample
			}
			for i := range convs {
				InitConvKaiming(b, convs[i], rng)
				g := float32(1)
				if i == len(bns)-1 && r.Config.ZeroInitResidual {
					g = 0
				}
				InitBatchNorm(b, bns[i], g)
			}
			if ds != nil {
				InitConvKaiming(b, ds.Mods[0].(*Conv2d), rng)
				InitBatchNorm(b, ds.Mods[1].(*BatchNorm), 1)
			}
		}
	}
}
