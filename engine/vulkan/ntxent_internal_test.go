package vulkan

import (
	"fmt"
	"strings"
	"testing"
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
