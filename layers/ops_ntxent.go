package layers

import (
	"fmt"

	"simclr-vk/engine"
)

// NTXent computes the NT-Xent loss of z (2N, d) with unit rows (views i and
// i+N are positives) at temperature tau into out (2) = [loss, top1]. When
// the tape records, the gradient dloss/dz is produced by the same op and
// seeds z's gradient for Backward.
func (t *Tape) NTXent(z *Var, tau float32, out *engine.Tensor) {
	if len(z.Shape) != 2 || z.Shape[0]%2 != 0 {
		panic(fmt.Sprintf("layers: NTXent: z shape %v is not (2N, d)", z.Shape))
	}
	if !t.record || !z.requiresGrad {
		t.b.NTXentForwardBackward(nil, out, z.Value, tau)
		return
	}
	dz, done := t.gradDst(z)
	t.b.NTXentForwardBackward(dz, out, z.Value, tau)
	done()
}
