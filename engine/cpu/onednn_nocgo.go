//go:build !cgo

package cpu

import (
	"errors"

	"simclr-vk/engine"
)

// Without cgo there is no oneDNN: convolutions use the builtin path.

var oneDNNDesc string

func loadOneDNN() error { return openOneDNN(oneDNNLibrary, true) }

func openOneDNN(path string, install bool) error {
	return errors.New("oneDNN (" + path + "): built without cgo")
}

type oneDNNPrim struct {
	impl string
	blk  [3]bool
}

func newOneDNNPrim(op convOp, p engine.Conv2DParams, threads int) (*oneDNNPrim, error) {
	return nil, loadOneDNN()
}

func (pr *oneDNNPrim) run(in0, in1, out []float32, raw int) error { return loadOneDNN() }

func (pr *oneDNNPrim) free() {}
