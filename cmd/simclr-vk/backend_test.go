package main

import (
	"io"
	"testing"
)

// TestAutotuneFlag: --autotune and its earlier name --gemm-autotune set
// the same value, and the default is auto.
func TestAutotuneFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "auto"},
		{[]string{"--autotune", "off"}, "off"},
		{[]string{"--gemm-autotune", "refresh"}, "refresh"},
	} {
		fs := newFlags("test")
		fs.SetOutput(io.Discard)
		f := addBackendFlags(fs, "auto")
		if err := fs.Parse(c.args); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if *f.autotune != c.want {
			t.Errorf("%v: autotune %q, want %q", c.args, *f.autotune, c.want)
		}
	}
}
