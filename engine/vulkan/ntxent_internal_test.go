package vulkan

import (
	"fmt"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
)

// The NT-Xent family's plan and memory tests are internal/ntxent's; here
// the facade's part: Options.NTXentKernel and the kernel argument are
// checked at this package's boundary.

// TestNTXentUnknownKernel: an unknown kernel family is refused by Open and
// makes NTXentKernel panic.
func TestNTXentUnknownKernel(t *testing.T) {
	d := openInternal(t, Options{})
	if bad, err := Open(Options{NTXentKernel: "fast"}); err == nil {
		bad.Close()
		t.Errorf("Open with NTXentKernel fast succeeded")
	} else if !strings.Contains(err.Error(), "NTXentKernel") {
		t.Errorf("Open with NTXentKernel fast: %v, want an error naming NTXentKernel", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "unknown kernel family") {
			t.Errorf("NTXentKernel(fast): recovered %v, want an unknown-family panic", r)
		}
	}()
	d.Plans().NTXentKernel("fast", 16, 8)
}

// TestSoftmaxCrossEntropyInvalidLabel: the device cannot panic on a label
// that is not a class index (the CPU backend does); the loss and that
// row's dlogits are NaN, the other rows are unaffected.
func TestSoftmaxCrossEntropyInvalidLabel(t *testing.T) {
	d := openInternal(t, Options{})
	for _, bad := range []float32{3, -1, 1.5} {
		logits := conformance.Upload(d, []float32{1, 2, 3, 3, 2, 1}, 2, 3)
		labels := conformance.Upload(d, []float32{0, bad}, 2)
		loss, dl := d.New(1), d.New(2, 3)
		d.SoftmaxCrossEntropy(dl, loss, logits, labels, 2, 3)
		l := conformance.Download(t, d, loss)
		g := conformance.Download(t, d, dl)
		if l[0] == l[0] {
			t.Errorf("label %v: loss %v, want NaN", bad, l[0])
		}
		for c := 0; c < 3; c++ {
			if g[c] != g[c] || g[3+c] == g[3+c] {
				t.Errorf("label %v: dlogits %v, want row 0 finite and row 1 NaN", bad, g)
				break
			}
		}
		for _, x := range []*engine.Tensor{logits, labels, loss, dl} {
			x.Release()
		}
	}
}
