package mpitest

import (
	"slices"
	"testing"
)

func TestSplitRanks(t *testing.T) {
	ompi := "[1234,1]<stdout>:a\n[1234,0]<stdout>:b\n------\nMPI_ABORT was invoked on rank 1\n[1234,1]<stderr>:c d\n[1234,5]<stdout>:out of range\n"
	if got, want := SplitRanks(ompi, 2, true), []string{"b\n", "a\nc d\n"}; !slices.Equal(got, want) {
		t.Errorf("Open MPI: %q, want %q", got, want)
	}
	hydra := "[1] a\n[0] b\nBAD TERMINATION\n[1] c\n"
	if got, want := SplitRanks(hydra, 2, false), []string{"b\n", "a\nc\n"}; !slices.Equal(got, want) {
		t.Errorf("Hydra: %q, want %q", got, want)
	}
}
