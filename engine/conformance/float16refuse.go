package conformance

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"simclr-vk/engine"
)

// Float16Refuse: on a backend that stores float16 tensors, every operand
// of every Backend op that engine.Float16Operands does not list refuses a
// Float16 tensor with a panic naming the op, the operand and float16, so
// no kernel reads a half-sized buffer as float32. refuseCalls calls each
// op on valid shapes; the test first checks that it covers every op of
// engine.Backend, then runs each call once with every operand float32
// (which must not panic) and once per undeclared operand with that one
// stored as float16.

// maker returns a zero-filled operand of the given shape; key names it,
// "key:name" where the op's message calls it name (the batch-norm
// statistics are "statistics" in engine.CheckBatchNorm).
type maker func(key string, shape ...int) *engine.Tensor

var (
	refConv  = engine.Conv2DParams{N: 1, C: 2, H: 5, W: 5, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	refPool  = engine.Pool2DParams{N: 1, C: 2, H: 5, W: 5, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
	refBN    = engine.BatchNormParams{N: 2, C: 3, HW: 4, Eps: 1e-5, Momentum: 0.1, ReLU: true} // ReLU: y is read
	refBNLen = 2 * 3 * 4
)

var refuseCalls = map[string]func(b engine.Backend, m maker){
	"Fill":         func(b engine.Backend, m maker) { b.Fill(m("dst", 5), 1) },
	"Copy":         func(b engine.Backend, m maker) { b.Copy(m("dst", 5), m("src", 5)) },
	"Add":          func(b engine.Backend, m maker) { b.Add(m("dst", 5), m("a", 5), m("b", 5)) },
	"Sub":          func(b engine.Backend, m maker) { b.Sub(m("dst", 5), m("a", 5), m("b", 5)) },
	"Mul":          func(b engine.Backend, m maker) { b.Mul(m("dst", 5), m("a", 5), m("b", 5)) },
	"Scale":        func(b engine.Backend, m maker) { b.Scale(m("dst", 5), m("src", 5), 2) },
	"Axpy":         func(b engine.Backend, m maker) { b.Axpy(m("y", 5), 2, m("x", 5)) },
	"ReLUForward":  func(b engine.Backend, m maker) { b.ReLUForward(m("y", 5), m("x", 5)) },
	"ReLUBackward": func(b engine.Backend, m maker) { b.ReLUBackward(m("dx", 5), m("dy", 5), m("y", 5)) },
	"AddReLU":      func(b engine.Backend, m maker) { b.AddReLU(m("y", 5), m("a", 5), m("b", 5)) },
	"SumRows":      func(b engine.Backend, m maker) { b.SumRows(m("dst", 3), m("src", 15), 3, 5) },
	"SumCols":      func(b engine.Backend, m maker) { b.SumCols(m("dst", 5), m("src", 15), 3, 5) },
	"MeanRows":     func(b engine.Backend, m maker) { b.MeanRows(m("dst", 3), m("src", 15), 3, 5) },
	"MeanCols":     func(b engine.Backend, m maker) { b.MeanCols(m("dst", 5), m("src", 15), 3, 5) },
	"SumSquares":   func(b engine.Backend, m maker) { b.SumSquares(m("dst", 1), m("src", 7)) },
	"Gemm": func(b engine.Backend, m maker) {
		b.Gemm(false, false, 3, 4, 5, 1, m("a", 3, 5), m("b", 5, 4), 0, m("c", 3, 4))
	},
	"GemmBatched": func(b engine.Backend, m maker) {
		b.GemmBatched(false, false, 2, 3, 4, 5, 1, m("a", 2, 15), m("b", 2, 20), 0, m("c", 2, 12))
	},
	"Conv2DForward": func(b engine.Backend, m maker) {
		b.Conv2DForward(m("y", 1, 3, 5, 5), m("x", 1, 2, 5, 5), m("w", 3, 2, 3, 3), refConv)
	},
	"Conv2DBackwardData": func(b engine.Backend, m maker) {
		b.Conv2DBackwardData(m("dx", 1, 2, 5, 5), m("dy", 1, 3, 5, 5), m("w", 3, 2, 3, 3), refConv)
	},
	"Conv2DBackwardFilter": func(b engine.Backend, m maker) {
		b.Conv2DBackwardFilter(m("dw", 3, 2, 3, 3), m("dy", 1, 3, 5, 5), m("x", 1, 2, 5, 5), refConv)
	},
	"BiasForward":  func(b engine.Backend, m maker) { b.BiasForward(m("y", 2, 3, 4), m("bias", 3), 2, 3, 4) },
	"BiasBackward": func(b engine.Backend, m maker) { b.BiasBackward(m("db", 3), m("dy", 2, 3, 4), 2, 3, 4) },
	"BatchNormForwardTrain": func(b engine.Backend, m maker) {
		b.BatchNormForwardTrain(m("y", refBNLen), m("x", refBNLen), m("gamma", 3), m("beta", 3),
			m("runMean:statistics", 3), m("runVar:statistics", 3), m("saveMean:statistics", 3), m("saveInvStd:statistics", 3), refBN)
	},
	"BatchNormForwardInfer": func(b engine.Backend, m maker) {
		b.BatchNormForwardInfer(m("y", refBNLen), m("x", refBNLen), m("gamma", 3), m("beta", 3),
			m("runMean:statistics", 3), m("runVar:statistics", 3), refBN)
	},
	"BatchNormBackward": func(b engine.Backend, m maker) {
		b.BatchNormBackward(m("dx", refBNLen), m("dgamma", 3), m("dbeta", 3), m("dy", refBNLen), m("x", refBNLen), m("y", refBNLen),
			m("gamma", 3), m("saveMean:statistics", 3), m("saveInvStd:statistics", 3), refBN)
	},
	"BatchNormStats": func(b engine.Backend, m maker) { b.BatchNormStats(m("stats", 2*3*2), m("x", refBNLen), 2, refBN) },
	"BatchNormApply": func(b engine.Backend, m maker) {
		b.BatchNormApply(m("y", refBNLen), m("x", refBNLen), m("gamma", 3), m("beta", 3), m("mean", 6), m("invStd", 6), 2, refBN)
	},
	"BatchNormBackwardSums": func(b engine.Backend, m maker) {
		b.BatchNormBackwardSums(m("sums", 12), m("dy", refBNLen), m("x", refBNLen), m("y", refBNLen), m("mean", 6), m("invStd", 6), 2, refBN)
	},
	"BatchNormBackwardApply": func(b engine.Backend, m maker) {
		b.BatchNormBackwardApply(m("dx", refBNLen), m("dy", refBNLen), m("x", refBNLen), m("y", refBNLen), m("gamma", 3),
			m("mean", 6), m("invStd", 6), m("means", 12), 2, refBN)
	},
	"BatchNormFinish": func(b engine.Backend, m maker) {
		b.BatchNormFinish(m("mean", 3), m("invStd", 3), m("runMean", 3), m("runVar", 3), m("stats", 3, 2), refBN)
	},
	"BatchNormInvStd": func(b engine.Backend, m maker) {
		b.BatchNormInvStd(m("invStd", 3), m("runVar", 3), refBN)
	},
	"BatchNormBackwardFinish": func(b engine.Backend, m maker) {
		b.BatchNormBackwardFinish(m("dgamma", 3), m("dbeta", 3), m("means", 3, 2), m("sums", 3, 2), refBN)
	},
	"MaxPool2DForward": func(b engine.Backend, m maker) {
		b.MaxPool2DForward(m("y", 1, 2, 3, 3), m("argmax", 1, 2, 3, 3), m("x", 1, 2, 5, 5), refPool)
	},
	"MaxPool2DBackward": func(b engine.Backend, m maker) {
		b.MaxPool2DBackward(m("dx", 1, 2, 5, 5), m("dy", 1, 2, 3, 3), m("argmax", 1, 2, 3, 3), refPool)
	},
	"GlobalAvgPoolForward":  func(b engine.Backend, m maker) { b.GlobalAvgPoolForward(m("y", 2, 3), m("x", 2, 3, 4), 2, 3, 4) },
	"GlobalAvgPoolBackward": func(b engine.Backend, m maker) { b.GlobalAvgPoolBackward(m("dx", 2, 3, 4), m("dy", 2, 3), 2, 3, 4) },
	"L2NormalizeForward": func(b engine.Backend, m maker) {
		b.L2NormalizeForward(m("y", 3, 5), m("norm", 3), m("x", 3, 5), 3, 5)
	},
	"L2NormalizeBackward": func(b engine.Backend, m maker) {
		b.L2NormalizeBackward(m("dx", 3, 5), m("dy", 3, 5), m("y", 3, 5), m("norm", 3), 3, 5)
	},
	"NTXentForwardBackward": func(b engine.Backend, m maker) {
		b.NTXentForwardBackward(m("dz", 4, 3), m("out", 2), m("z", 4, 3), 0.5)
	},
	"SoftmaxCrossEntropy": func(b engine.Backend, m maker) {
		b.SoftmaxCrossEntropy(m("dlogits", 3, 4), m("loss", 1), m("logits", 3, 4), m("labels", 3), 3, 4)
	},
	"ToFloat16":    func(b engine.Backend, m maker) { b.ToFloat16(m("dst", 3), m("src", 5)) },
	"FromFloat16":  func(b engine.Backend, m maker) { b.FromFloat16(m("dst", 5), m("src", 3)) },
	"RoundFloat16": func(b engine.Backend, m maker) { b.RoundFloat16(m("t", 5)) },
	"SGDStep": func(b engine.Backend, m maker) {
		b.SGDStep(m("w", 5), m("g", 5), m("v", 5), engine.SGDParams{LR: 0.1, Momentum: 0.9})
	},
	"LARSStep": func(b engine.Backend, m maker) {
		b.LARSStep(m("w", 5), m("g", 5), m("v", 5), engine.LARSParams{LR: 0.1, Momentum: 0.9, Eta: 1e-3})
	},
	"AdamWStep": func(b engine.Backend, m maker) {
		b.AdamWStep(m("w", 5), m("g", 5), m("m", 5), m("v", 5), engine.AdamWParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
	},
}

// notOps are the Backend methods that are no ops on tensors of one dtype:
// memory (Upload, Download and Release take either) and device state.
var notOps = []string{"Name", "Describe", "New", "Upload", "Download", "Release", "Flush", "Err", "MemStats", "ResetPeak", "Close"}

// refuseRun calls op with the operand key (none: "") stored as float16
// and returns the panic message, "" when it returned; it releases every
// operand and lists the keys it made.
func refuseRun(b engine.Backend, s engine.Float16Storer, op, f16 string) (msg string, keys []string) {
	var made []*engine.Tensor
	defer func() {
		for _, t := range made {
			t.Release()
		}
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	refuseCalls[op](b, func(key string, shape ...int) *engine.Tensor {
		keys = append(keys, key)
		t := b.New(shape...)
		if key == f16 {
			t.Release()
			t = s.NewFloat16(shape...)
		}
		made = append(made, t)
		return t
	})
	return "", keys
}

func init() {
	register("Float16Refuse", func(t *testing.T, b engine.Backend) {
		var missing []string
		bt := reflect.TypeOf((*engine.Backend)(nil)).Elem()
		for i := 0; i < bt.NumMethod(); i++ {
			if name := bt.Method(i).Name; refuseCalls[name] == nil && !slices.Contains(notOps, name) {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			t.Fatalf("refuseCalls has no call of %v: add one", missing)
		}
		if err := engine.Float16Support(b); err != nil {
			t.Skipf("no float16 storage: %v", err)
		}
		s := b.(engine.Float16Storer)
		ops := make([]string, 0, len(refuseCalls))
		for op := range refuseCalls {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			t.Run(op, func(t *testing.T) {
				msg, keys := refuseRun(b, s, op, "")
				if msg != "" {
					t.Fatalf("all float32: %s panics: %s", op, msg)
				}
				for _, key := range keys {
					k, name, _ := strings.Cut(key, ":")
					if name == "" {
						name = k
					}
					if slices.Contains(engine.Float16Operands(op), name) {
						continue
					}
					msg, _ := refuseRun(b, s, op, key)
					prefix := "engine: " + op + ": " + name + " "
					if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, "float16") {
						t.Errorf("%s with %s float16: got panic %q, want one starting %q and naming float16", op, k, msg, prefix)
					}
				}
			})
		}
	})
}
