package modelio

import (
	"fmt"
	"strings"

	"simclr-vk/layers"
)

// StateSize is the number of values the encoder and the head of a model of
// cfg hold in a checkpoint (Tensors: parameters and buffers, one value per
// num_batches_tracked), computed without building the model, so that a
// description read from a file can be checked against the values the file
// holds before anything is allocated. cfg must have passed ParseArch's
// ranges (the counts then fit an int64); an unknown architecture gives 0.
func StateSize(cfg layers.Config) (encoder, head int64) {
	cfg = cfg.WithDefaults()
	e := cfg.Encoder
	// The blocks as layers builds them (TestStateSize compares with built
	// models).
	bottleneck, blocks, ok := layers.ArchBlocks(e.Arch)
	if !ok {
		return 0, 0
	}
	bn := func(c int, beta bool) int64 {
		n := 3*int64(c) + 1 // weight, running mean and var, counter
		if beta {
			n += int64(c)
		}
		return n
	}
	conv := func(in, out, k int) int64 { return int64(in) * int64(out) * int64(k) * int64(k) }
	k := 7
	if e.Stem == layers.StemCIFAR {
		k = 3
	}
	in := layers.StageWidth(0, e.Width)
	encoder = conv(e.InChannels, in, k) + bn(in, true)
	exp := 1
	if bottleneck {
		exp = 4
	}
	for s := range 4 {
		planes := layers.StageWidth(s, e.Width)
		for i := range blocks[s] {
			if (s > 0 && i == 0) || in != planes*exp {
				encoder += conv(in, planes*exp, 1) + bn(planes*exp, true)
			}
			if bottleneck {
				encoder += conv(in, planes, 1) + conv(planes, planes, 3) + conv(planes, 4*planes, 1) +
					2*bn(planes, true) + bn(4*planes, true)
			} else {
				encoder += conv(in, planes, 3) + conv(planes, planes, 3) + 2*bn(planes, true)
			}
			in = planes * exp
		}
	}
	h := cfg.Head
	d := int64(in)
	for l := range h.Layers {
		out := int64(h.Hidden)
		last := l == h.Layers-1
		if last {
			out = int64(h.Out)
		}
		head += d * out
		if !h.NoBias {
			head += out
		}
		switch {
		case !last && !h.NoBN:
			head += bn(int(out), true)
		case last && h.LastBN:
			head += bn(int(out), false)
		}
		d = out
	}
	return encoder, head
}

// Bounds of checkSize: a model built from a file's description may hold at
// most sizeFactor times the file's values plus sizeSlack (a smaller
// mismatch is left to the loader, whose message names the tensors), and a
// head the file lacks may exceed the encoder by at most sizeSlack values.
const (
	sizeFactor = 4
	sizeSlack  = 1 << 20
)

// checkSize refuses to build a model of cfg from s when that model is far
// larger than the values s holds: loading would fail anyway, after
// allocating and initialising a model a damaged description may make
// arbitrarily large. With headOptional and no head.* tensor in s, only the
// encoder counts, and the head (initialised fresh) may be at most the
// encoder's size plus sizeSlack values.
func (s *source) checkSize(cfg layers.Config, headOptional bool) error {
	var have int64
	srcHead := false
	for n, e := range s.have {
		have += int64(len(e.data))
		srcHead = srcHead || strings.HasPrefix(n, "head.")
	}
	enc, head := StateSize(cfg)
	need := enc + head
	if headOptional && !srcHead {
		need = enc
		if head > enc+sizeSlack {
			return fmt.Errorf("modelio: %s: %s has a head of %d values, more than its encoder's %d and the file has none: damaged architecture description?",
				s.what, Describe(cfg), head, enc)
		}
	}
	if need > sizeFactor*have+sizeSlack {
		return fmt.Errorf("modelio: %s: %s needs %d values, the file holds only %d: damaged architecture description or the wrong file",
			s.what, Describe(cfg), need, have)
	}
	return nil
}
