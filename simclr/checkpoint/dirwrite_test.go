package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSaveDoesNotFollowOrDeleteOthers: Save replaces symbolic links planted
// under the names it writes (their targets untouched), never prunes through
// a link, and removes only its own leftover temporary files.
func TestSaveDoesNotFollowOrDeleteOthers(t *testing.T) {
	d := Dir{Path: t.TempDir(), Keep: 1}
	elsewhere := t.TempDir()
	plant := func(name string) string {
		target := filepath.Join(elsewhere, name)
		if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(d.Path, name)); err != nil {
			t.Fatal(err)
		}
		return target
	}
	targets := []string{plant(FileName(5)), plant(LatestFile), plant(FileName(1))}
	foreign := filepath.Join(d.Path, tempPrefix+"encoder.safetensors.123") // an export under way
	ours := filepath.Join(d.Path, tempPrefix+FileName(3)+".456")           // a crash's leftover
	for _, p := range []string{foreign, ours} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []int64{5, 7} {
		if _, err := d.Save(sample(s)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range targets {
		if b, err := os.ReadFile(p); err != nil || string(b) != "precious" {
			t.Errorf("%s, a link's target, changed: %q, %v", p, b, err)
		}
	}
	for name, regular := range map[string]bool{LatestFile: true, FileName(7): true, FileName(1): false} {
		st, err := os.Lstat(filepath.Join(d.Path, name))
		if err != nil || st.Mode().IsRegular() != regular {
			t.Errorf("%s: %v, %v (want regular %v)", name, st, err, regular)
		}
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("another writer's temporary file was removed: %v", err)
	}
	if _, err := os.Stat(ours); !os.IsNotExist(err) {
		t.Errorf("a checkpoint's leftover temporary file stayed: %v", err)
	}
	if c, err := Load(d.Path); err != nil || c.Meta.GlobalStep != 7 {
		t.Errorf("Load after: %v", err)
	}
}
