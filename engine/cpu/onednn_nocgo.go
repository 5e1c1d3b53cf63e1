//go:build !cgo

package cpu

import (
	"errors"

	"simclr-vk/engine"
)

// Without cgo there is no oneDNN: convolutions use the builtin path.

var oneDNNDesc string

func loadOneDNN() error { return openOneDNN(oneDNNLibrary) }

func openOneDNN(path string) error { return errors.New("oneDNN (" + path + "): built without cgo") }

type oneDNNPrim struct{ impl string }

func newOneDNNPrim(op convOp, p engine.Conv2DParams, threads int) (*oneDNNPrim, error) {
	return nil, loadOneDNN()
}

func (pr *oneDNNPrim) run(in0, in1, out []float32) error { return loadOneDNN() }

func (pr *oneDNNPrim) free() {}
