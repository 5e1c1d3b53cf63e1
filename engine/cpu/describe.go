package cpu

import (
	"fmt"

	"simclr-vk/engine"
)

var _ engine.Backend = (*Backend)(nil)

// Describe is "cpu: N threads, BLAS: <name>, convolutions: <ConvName>".
func (be *Backend) Describe() string {
	name := BLASName()
	if be.noBLAS {
		name = "none (disabled by Options.NoBLAS; pure-Go GEMM)"
	}
	return fmt.Sprintf("cpu: %d threads, BLAS: %s, convolutions: %s", be.threads, name, be.ConvName())
}
