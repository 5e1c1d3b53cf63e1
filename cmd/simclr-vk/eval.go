package main

import (
	"fmt"
	"os"

	"simclr-vk/internal/bound"
	"simclr-vk/simclr/eval"
	"simclr-vk/simclr/knn"
	"simclr-vk/simclr/train"
)

func runEval(args []string) error {
	if len(args) == 0 || (args[0] != "knn" && args[0] != "linear") {
		fmt.Fprintln(os.Stderr, "Usage: simclr-vk eval knn|linear --checkpoint C --data D [flags]\n\n"+
			"  knn     weighted kNN (InstDisc): test split against the training split as the bank\n"+
			"  linear  linear probe on the frozen encoder's features")
		return errUsage
	}
	if args[0] == "knn" {
		return runEvalKNN(args[1:])
	}
	return runEvalLinear(args[1:])
}

// knnResult is the JSON written by eval knn --out.
type knnResult struct {
	Checkpoint string  `json:"checkpoint"`
	Data       string  `json:"data"`
	K          int     `json:"k"`
	T          float64 `json:"t"`
	Top1       float64 `json:"test_top1"`
	Top5       float64 `json:"test_top5,omitempty"`
	TestN      int     `json:"test_images"`
	BankN      int     `json:"bank_images"`
}

func runEvalKNN(args []string) error {
	fs := newFlags("eval knn")
	mf := addModelDataFlags(fs)
	k := fs.Int("k", 200, "neighbours")
	temp := fs.Float64("t", 0.1, "temperature of the weights exp(sim/t)")
	out := fs.String("out", "", "also write the result as JSON to this file (- for stdout)")
	bf := addBackendFlags(fs, "auto")
	pf := addPrecisionFlag(fs, false)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *k < 1 || !(*temp > 0) {
		return fmt.Errorf("--k must be >= 1 and --t > 0")
	}
	e, err := openEval(mf, bf, pf, *out,
		bound.Int("k", int64(*k), 1, train.MaxCount),
		bound.Float("t", *temp, 0, train.MaxTemperature, true))
	if err != nil {
		return err
	}
	defer e.close()
	if n := e.train.Len(); *k > n {
		fmt.Fprintf(os.Stderr, "warning: --k %d is more than the bank's %d images: using k=%d\n", *k, n, n)
		*k = n
	}
	r, err := eval.KNN(e.m, e.train, e.test, eval.ExtractOptions{Size: e.size, Batch: *mf.batch, Workers: *mf.workers,
		Progress: progressBar("features")}, knn.Options{K: *k, T: *temp})
	if err != nil {
		return err
	}
	fmt.Printf("kNN (k=%d, t=%g) on %s, bank %s (%d images): top-1 %s", *k, *temp, e.test.Name(), e.train.Name(), e.train.Len(), pct(r.Top1))
	if r.HasTop5 {
		fmt.Printf(", top-5 %s", pct(r.Top5))
	}
	fmt.Println()
	if *out != "" {
		return writeJSON(*out, knnResult{Checkpoint: e.ck.Path, Data: *mf.data, K: *k, T: *temp, Top1: r.Top1, Top5: r.Top5,
			TestN: r.N, BankN: e.train.Len()})
	}
	return nil
}

// linearResult is the JSON written by eval linear --out.
type linearResult struct {
	Checkpoint string `json:"checkpoint"`
	Data       string `json:"data"`
	eval.LinearResult
}

func runEvalLinear(args []string) error {
	fs := newFlags("eval linear")
	mf := addModelDataFlags(fs)
	cf := addClassifierFlags(fs, eval.LinearEpochs, "training epochs of the classifier", eval.LinearLRBase, "shuffling and augmentation seed")
	aug := fs.Bool("aug", false, "random crop + flip while training (features recomputed every epoch; else computed once and cached in host memory)")
	out := fs.String("out", "linear.json", "write the result as JSON to this file (- for stdout, empty: none)")
	bf := addBackendFlags(fs, "auto")
	pf := addPrecisionFlag(fs, false)
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := openEval(mf, bf, pf, *out, cf.check())
	if err != nil {
		return err
	}
	defer e.close()
	bars := map[string]func(int, int){}
	res, err := eval.LinearProbe(e.m, e.train, e.test, eval.LinearConfig{
		Size: e.size, Epochs: *cf.epochs, Batch: *mf.batch, LR: *cf.lr, Aug: *aug, Seed: *cf.seed, Workers: *mf.workers,
		Progress: epochProgress,
		ExtractProgress: func(what string, done, total int) {
			if bars[what] == nil {
				bars[what] = progressBar(what + " features")
			}
			bars[what](done, total)
		},
	})
	if err != nil {
		return err
	}
	if !*aug {
		fmt.Fprintf(os.Stderr, "cached features: %.1f MB of host memory\n", float64(res.CacheBytes)/1e6)
	}
	fmt.Printf("linear probe (%d epochs, batch %d, lr %.4g%s) on %s: train top-1 %s", res.Epochs, res.Batch, res.LR,
		map[bool]string{true: ", crop+flip", false: ""}[*aug], *mf.data, pct(res.TrainTop1))
	if res.HasTop5 {
		fmt.Printf(" top-5 %s", pct(res.TrainTop5))
	}
	fmt.Printf("; test top-1 %s", pct(res.TestTop1))
	if res.HasTop5 {
		fmt.Printf(" top-5 %s", pct(res.TestTop5))
	}
	fmt.Println()
	if *out != "" {
		return writeJSON(*out, linearResult{Checkpoint: e.ck.Path, Data: *mf.data, LinearResult: res})
	}
	return nil
}
