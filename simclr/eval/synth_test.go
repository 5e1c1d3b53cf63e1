package eval

import (
	"fmt"

	"simclr-vk/simclr/data"
)

// synth is a dataset of 4 classes separable in pixel space: class 0 red,
// 1 green, 2 blue, 3 gray, plus per-pixel noise. With randomLabels the
// labels are a hash of the index, unrelated to the pictures.
type synth struct {
	n, c, size   int
	offset       int // different images for the test split
	randomLabels bool
	unlabeled    bool
}

const synthClasses = 4

func hash(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

func (s *synth) Len() int               { return s.n }
func (s *synth) Shape() (int, int, int) { return s.c, s.size, s.size }
func (s *synth) Name() string           { return fmt.Sprintf("synth%d", s.offset) }
func (s *synth) Close() error           { return nil }
func (s *synth) NumClasses() int {
	if s.unlabeled {
		return 0
	}
	return synthClasses
}

// picture is the class the image shows.
func (s *synth) picture(i int) int { return (i + s.offset) % synthClasses }

func (s *synth) Label(i int) int {
	if s.unlabeled {
		return -1
	}
	if s.randomLabels {
		return int(hash(uint64(i+s.offset)*7919+1) % synthClasses)
	}
	return s.picture(i)
}

func (s *synth) Image(i int) (data.Image, error) {
	k := s.picture(i)
	im := data.Image{C: s.c, H: s.size, W: s.size, Pix: make([]uint8, s.c*s.size*s.size)}
	for ch := range s.c {
		base := 40
		if k == 3 || ch == k || s.c == 1 && k%2 == 1 {
			base = 170
		}
		for p := range s.size * s.size {
			noise := int(hash(uint64((i+s.offset)*1000003+ch*4099+p)) % 21)
			im.Pix[ch*s.size*s.size+p] = uint8(base + noise - 10)
		}
	}
	return im, nil
}
