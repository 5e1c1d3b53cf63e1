package cpu

import (
	"strings"
	"testing"

	"simclr-vk/engine"
)

// TestConvAutoChoice: which convolutions ConvAuto sends to oneDNN
// (oneDNNPays), for each of the three ops; where oneDNN loads, also the
// path a backend really takes, and that ConvOneDNN takes oneDNN for all.
func TestConvAutoChoice(t *testing.T) {
	conv := func(c, r, sh, sw int) engine.Conv2DParams {
		return engine.Conv2DParams{N: 2, C: c, H: 8, W: 8, K: 8, R: r, S: r, StrideH: sh, StrideW: sw, PadH: r / 2, PadW: r / 2}
	}
	for _, c := range []struct {
		p           engine.Conv2DParams
		fwd, bd, bf bool // oneDNN for forward, backward data, filter gradient
	}{
		{conv(1, 3, 1, 1), false, false, false}, // stems
		{conv(2, 3, 1, 1), false, false, false},
		{conv(3, 3, 1, 1), false, false, true},
		{conv(4, 3, 1, 1), true, true, true},
		{conv(16, 3, 2, 2), true, true, true},
		{conv(16, 1, 1, 1), true, true, true},
		{conv(16, 1, 2, 2), true, false, true}, // strided 1x1 shortcuts
		{conv(16, 1, 1, 2), true, false, true},
		{conv(16, 1, 2, 1), true, false, true},
	} {
		for i, want := range []bool{c.fwd, c.bd, c.bf} {
			if got := oneDNNPays(convOp(i), c.p); got != want {
				t.Errorf("oneDNNPays(%v, %v) = %v, want %v", convOp(i), c.p, got, want)
			}
		}
		if OneDNN() != nil {
			continue
		}
		auto := New(Options{Threads: 1})
		for i, want := range []bool{c.fwd, c.bd, c.bf} {
			got := auto.ConvImplementation(convOp(i).String(), c.p)
			if strings.HasPrefix(got, "oneDNN") != want {
				t.Errorf("ConvAuto %v %v ran on %s, want oneDNN %v", convOp(i), c.p, got, want)
			}
		}
		auto.Close()
		one := New(Options{Threads: 1, Conv: ConvOneDNN})
		checkConvImpl(t, one, ConvOneDNN, c.p)
		one.Close()
	}
}
