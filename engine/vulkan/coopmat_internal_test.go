package vulkan

import (
	"errors"
	"strings"
	"testing"
)

// TestCoopMatSelfCheckFailure: when the cooperative-matrix kernel cannot be
// built (an injected pipeline failure), Open with CoopMat "on" fails with
// ErrCoopMatSelfCheck naming the kernel, and leaves nothing behind (a
// second Open works).
func TestCoopMatSelfCheckFailure(t *testing.T) {
	probe := openInternal(t, Options{})
	if probe.info.CoopMatKernel == "" {
		t.Skipf("no cooperative matrices here: %s", probe.info.CoopMatMissing)
	}
	broken := "gemm_tiled_128x128_db_" + probe.info.CoopMatKernel
	fault := func(shader string) error {
		if shader == broken {
			return errors.New("vkCreateComputePipelines: VK_ERROR_UNKNOWN (injected)")
		}
		return nil
	}
	d, err := Open(Options{CoopMat: "on", hooks: &testHooks{pipelineFault: fault}})
	if err == nil {
		d.Close()
		t.Fatal("Open succeeded with the cooperative-matrix kernel broken")
	}
	if !errors.Is(err, ErrCoopMatSelfCheck) || errors.Is(err, ErrCoopMatUnsupported) || !strings.Contains(err.Error(), broken) {
		t.Fatalf("error %q: want ErrCoopMatSelfCheck (not ErrCoopMatUnsupported, which tests skip on) naming %s", err, broken)
	}
	d = openInternal(t, Options{CoopMat: "on"})
	if d.Plans().CoopMat() == "" {
		t.Fatal("the second Open has no cooperative matrices")
	}
}
