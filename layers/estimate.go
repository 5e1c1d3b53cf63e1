package layers

// Memory estimates for refusing a configuration that cannot fit before any
// tensor of it is allocated. They are computed in float64 from the
// configuration alone, so absurd widths or sides give a large finite number
// rather than an overflowed int.

// EstimateParams is the number of parameters of the encoder c and the
// projection head h (conv and linear weights, BatchNorm gamma and beta),
// computed from the configuration without building the model; 0 for an
// unknown architecture.
func EstimateParams(c ResNetConfig, h HeadConfig) float64 {
	c = c.WithDefaults()
	a, ok := archs[c.Arch]
	if !ok {
		return 0
	}
	stem := float64(StageWidth(0, c.Width))
	k := 7.0
	if c.Stem == StemCIFAR {
		k = 3
	}
	n := k*k*float64(c.InChannels)*stem + 2*stem
	in := stem
	for s := 0; s < 4; s++ {
		p := float64(StageWidth(s, c.Width))
		for i := 0; i < a.blocks[s]; i++ {
			out := p
			if a.bottleneck {
				out = 4 * p
				n += in*p + 9*p*p + p*out + 2*(2*p+out)
			} else {
				n += 9*in*p + 9*p*p + 2*2*p
			}
			if (s > 0 && i == 0) || in != out {
				n += in*out + 2*out
			}
			in = out
		}
	}
	hc := h.WithDefaults(int(min(in, 1<<40)))
	hidden, outDim := float64(hc.Hidden), float64(hc.Out)
	if h.Hidden == 0 {
		hidden = in
	}
	n += in*hidden + 3*hidden + float64(hc.Layers-2)*(hidden*hidden+3*hidden) + hidden*outDim + outDim
	return n
}

// EstimateViewFloats is the number of float32 activations one training view
// of side x side pixels keeps for the backward pass of encoder c: every
// convolution's output, its BatchNorm output and the residual sums, plus
// the input; a lower bound of the real use (workspaces come on top). 0 for
// an unknown architecture.
func EstimateViewFloats(c ResNetConfig, side int) float64 {
	var n float64
	walkMaps(c, side, func(in, stem, p, hw float64, bottleneck bool) {
		switch {
		case stem > 0:
			n += in + 2*stem
		case bottleneck:
			n += 2*(p+p+4*p)*hw + 4*p*hw
		default:
			n += 2*(p+p)*hw + p*hw
		}
	})
	return n
}

// EstimateInferFloats is the number of float32 activations that one image
// of side x side pixels needs at the same time in an eval-mode forward pass
// of encoder c (Model.Features, which returns each activation to the pool
// once read): the largest of the stem's input and output and, per residual
// block, its input (kept for the shortcut) next to its output; a lower
// bound of the real use. 0 for an unknown architecture.
func EstimateInferFloats(c ResNetConfig, side int) float64 {
	var n, prev float64
	walkMaps(c, side, func(in, stem, p, hw float64, bottleneck bool) {
		out := p * hw
		if bottleneck {
			out *= 4
		}
		if stem > 0 {
			out, prev = stem, in
		}
		n = max(n, prev+out)
		prev = out
	})
	return n
}

// walkMaps calls f with the stem (in: the input's floats, stem: its
// output's) and then with each residual block's planes p and output plane
// size hw, from the same shape rules as the encoder.
func walkMaps(c ResNetConfig, side int, f func(in, stem, p, hw float64, bottleneck bool)) {
	c = c.WithDefaults()
	a, ok := archs[c.Arch]
	if !ok {
		return
	}
	s := float64(side)
	in := float64(c.InChannels) * s * s
	down := func(x float64) float64 { return float64(int64(x+1) / 2) }
	if c.Stem == StemImageNet {
		s = down(s)
		f(in, float64(StageWidth(0, c.Width))*s*s, 0, 0, false)
		s = down(s)
	} else {
		f(in, float64(StageWidth(0, c.Width))*s*s, 0, 0, false)
	}
	for st := 0; st < 4; st++ {
		p := float64(StageWidth(st, c.Width))
		for i := 0; i < a.blocks[st]; i++ {
			if st > 0 && i == 0 {
				s = down(s)
			}
			f(0, 0, p, s*s, a.bottleneck)
		}
	}
}
