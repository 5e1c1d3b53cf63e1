package data

import (
	"fmt"
	"math/rand/v2"
)

// Subset returns the first n images of a fixed permutation of ds seeded by
// seed (the same n and seed always give the same images; a larger n gives a
// superset). n <= 0 or n >= ds.Len() returns ds itself. Closing the subset
// closes ds.
func Subset(ds Dataset, n int, seed uint64) Dataset {
	if n <= 0 || n >= ds.Len() {
		return ds
	}
	perm := rand.New(rand.NewPCG(seed, 0x5eed5b5e7)).Perm(ds.Len())
	return &indexed{Dataset: ds, idx: perm[:n], name: fmt.Sprintf("%s[subset %d seed %d]", ds.Name(), n, seed), own: true}
}

// Select is a view of ds through the indices idx, named name. Closing it
// does not close ds.
func Select(ds Dataset, idx []int, name string) Dataset {
	return &indexed{Dataset: ds, idx: idx, name: name}
}

// indexed is a view of a Dataset through a list of indices; own makes
// Close close the underlying dataset.
type indexed struct {
	Dataset
	idx  []int
	name string
	own  bool
}

func (s *indexed) Len() int     { return len(s.idx) }
func (s *indexed) Name() string { return s.name }
func (s *indexed) Close() error {
	if s.own {
		return s.Dataset.Close()
	}
	return nil
}
func (s *indexed) Label(i int) int {
	checkIndex(s.name, i, len(s.idx))
	return s.Dataset.Label(s.idx[i])
}
func (s *indexed) Image(i int) (Image, error) {
	checkIndex(s.name, i, len(s.idx))
	return s.Dataset.Image(s.idx[i])
}

// Concat joins datasets of the same shape. The result is labeled with the
// largest NumClasses of its parts (unlabeled parts keep label -1). Closing
// it closes every part.
func Concat(name string, parts ...Dataset) (Dataset, error) {
	c, h, w := parts[0].Shape()
	cat := &concat{name: name, parts: parts}
	for _, p := range parts {
		pc, ph, pw := p.Shape()
		if pc != c || ph != h || pw != w {
			return nil, fmt.Errorf("data: concat %s: %s is %dx%dx%d, %s is %dx%dx%d",
				name, parts[0].Name(), c, h, w, p.Name(), pc, ph, pw)
		}
		cat.starts = append(cat.starts, cat.n)
		cat.n += p.Len()
		cat.classes = max(cat.classes, p.NumClasses())
	}
	return cat, nil
}

type concat struct {
	name    string
	parts   []Dataset
	starts  []int
	n       int
	classes int
}

func (d *concat) Len() int             { return d.n }
func (d *concat) Shape() (c, h, w int) { return d.parts[0].Shape() }
func (d *concat) NumClasses() int      { return d.classes }
func (d *concat) Name() string         { return d.name }
func (d *concat) locate(i int) (Dataset, int) {
	checkIndex(d.name, i, d.n)
	k := len(d.starts) - 1
	for d.starts[k] > i {
		k--
	}
	return d.parts[k], i - d.starts[k]
}
func (d *concat) Label(i int) int            { p, j := d.locate(i); return p.Label(j) }
func (d *concat) Image(i int) (Image, error) { p, j := d.locate(i); return p.Image(j) }
func (d *concat) Close() error {
	var first error
	for _, p := range d.parts {
		if err := p.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// sizeOf is the size of image i of ds: its own where ds is Sized, else
// the shape's.
func sizeOf(ds Dataset, i int) (h, w int) {
	if s, ok := ds.(Sized); ok {
		return s.ImageSize(i)
	}
	_, h, w = ds.Shape()
	return h, w
}

// SizesVary and ImageSize pass on the underlying dataset's sizes (Shape
// stays its nominal size).
func (s *indexed) SizesVary() bool { return VariesInSize(s.Dataset) }
func (s *indexed) ImageSize(i int) (h, w int) {
	checkIndex(s.name, i, len(s.idx))
	return sizeOf(s.Dataset, s.idx[i])
}

func (d *concat) SizesVary() bool {
	for _, p := range d.parts {
		if VariesInSize(p) {
			return true
		}
	}
	return false
}
func (d *concat) ImageSize(i int) (h, w int) { p, j := d.locate(i); return sizeOf(p, j) }
