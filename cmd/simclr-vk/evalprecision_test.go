package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvalPrecision: eval knn and eval linear take --precision mixed (the
// frozen encoder's float16 features; simclr/eval's TestMixedFeatures checks
// the values) and still separate the colour classes; finetune --precision
// mixed is refused as not supported yet, naming the flag, before it
// creates --out.
func TestEvalPrecision(t *testing.T) {
	dir := t.TempDir()
	ck, _ := tinyCheckpoint(t, filepath.Join(dir, "run"), tinyEnc, 8)
	ds := filepath.Join(dir, "data")
	colourData(t, ds, 3, 8, 96, 40, false)
	common := []string{"--checkpoint", ck, "--data", ds, "--backend", "cpu", "--batch", "32", "--precision", "mixed"}

	knnOut := filepath.Join(dir, "knn.json")
	if err := runEvalKNN(append(common, "--k", "10", "--out", knnOut)); err != nil {
		t.Fatal(err)
	}
	var kr knnResult
	readJSON(t, knnOut, &kr)
	if kr.TestN != 40 || kr.Top1 < 0.9 {
		t.Errorf("knn --precision mixed: %+v", kr)
	}
	linOut := filepath.Join(dir, "linear.json")
	if err := runEvalLinear(append(common, "--epochs", "15", "--lr", "0.5", "--out", linOut)); err != nil {
		t.Fatal(err)
	}
	var lr linearResult
	readJSON(t, linOut, &lr)
	if lr.TestTop1 < 0.9 {
		t.Errorf("linear --precision mixed: %+v", lr)
	}
	ft := filepath.Join(dir, "ft")
	err := runFinetune(append(common, "--epochs", "1", "--out", ft))
	if err == nil || !strings.Contains(err.Error(), "--precision mixed: not supported yet by finetune") {
		t.Errorf("finetune --precision mixed: %v, want not supported yet", err)
	}
	if _, err := os.Stat(ft); !os.IsNotExist(err) {
		t.Errorf("the refused finetune created --out (%v)", err)
	}
	if err := runFinetune(append(common[:len(common)-1], "auto", "--epochs", "1", "--label-fraction", "0.5", "--out", ft)); err != nil {
		t.Errorf("finetune --precision auto: %v", err)
	}
}
