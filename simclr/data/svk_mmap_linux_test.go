package data

import (
	"os"
	"testing"
)

// TestSVKTruncatedWhileMapped truncates a mapped .svk file: reading an image
// then faults, which must come back as an error naming the file, not a
// crash.
func TestSVKTruncatedWhileMapped(t *testing.T) {
	path, _ := prepared(t)
	tr, te, err := OpenSVK(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	defer te.Close()
	if _, ok := tr.(*SVK).f.r.(*mapped); !ok {
		t.Fatalf("the file is read through %T, not a memory map", tr.(*SVK).f.r)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err = tr.Image(1)
	wantErr(t, err, path, "faulted")
}
