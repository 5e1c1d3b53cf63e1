package jpegdec

import (
	"bytes"
	"fmt"
	"image/jpeg"
)

// Image is a decoded image: Pix holds C*H*W bytes, plane c, row y, column
// x at Pix[(c*H+y)*W+x]. C is 1 (gray) or 3 (RGB). It has the same fields
// as simclr/data.Image, which converts from it.
type Image struct {
	C, H, W int
	Pix     []uint8
}

// Options select the decoder. The zero value uses libjpeg-turbo when it
// can be loaded.
type Options struct {
	// ForceGo decodes with Go's image/jpeg even where libjpeg-turbo is
	// installed (tests compare the two).
	ForceGo bool
	// Library, when set, is the only path tried for libturbojpeg instead
	// of the system's (tests pass a wrong path to simulate a missing
	// library).
	Library string
}

// Request describes what Decode must produce.
type Request struct {
	// Width and Height are the size the file's header declares, checked
	// by the caller against its limits. The stream must agree.
	Width, Height int
	// Channels is 1 (gray) or 3 (RGB).
	Channels int
	// MinSide > 0 lets the library decode at a DCT reduction (1/2, 1/4,
	// 1/8) whose shorter side is still at least MinSide; 0 decodes at full
	// size. The Go decoder ignores it.
	MinSide int
}

// Decoder decodes JPEGs. It is safe for concurrent use; a nil *Decoder
// decodes with Go's image/jpeg.
type Decoder struct {
	lib  *library // nil: Go's decoder
	name string
}

// New returns a decoder using libjpeg-turbo when it loads (from
// opts.Library, or the system's libturbojpeg.so.0), else Go's decoder.
// Libraries are loaded once per path and kept for the process.
func New(opts Options) *Decoder {
	if opts.ForceGo {
		return &Decoder{name: "image/jpeg (pure Go; forced by Options.ForceGo)"}
	}
	lib, why := loadLibrary(opts.Library)
	if lib == nil {
		return &Decoder{name: "image/jpeg (pure Go; " + why + ")"}
	}
	return &Decoder{lib: lib, name: lib.desc}
}

// Name describes the decoder: the library's path and the DCT reductions
// it offers, or the Go decoder and why the library is not used.
func (d *Decoder) Name() string { return d.name }

// UsesLibrary reports whether d decodes with libjpeg-turbo.
func (d *Decoder) UsesLibrary() bool { return d.lib != nil }

// Decode decodes the JPEG file contents src (see the package doc for which
// decoder decodes what). The result has r.Channels channels and the
// header's size, or a reduced size when r.MinSide allows one. Errors do not
// name the file: the caller adds it.
func (d *Decoder) Decode(src []byte, r Request) (Image, error) {
	if r.Width < 1 || r.Height < 1 || (r.Channels != 1 && r.Channels != 3) || r.MinSide < 0 {
		return Image{}, fmt.Errorf("jpegdec: bad request: %dx%d, %d channels, min side %d", r.Width, r.Height, r.Channels, r.MinSide)
	}
	if d == nil || d.lib == nil {
		return decodeGo(src, r)
	}
	im, warn, err := d.lib.decode(src, r)
	if err != nil || warn == "" && im.Pix != nil {
		return im, err
	}
	// The library declined (warn == "": a header or colour space it does
	// not take) or warned: Go decides.
	im, err = decodeGo(src, r)
	if err != nil && warn != "" {
		err = fmt.Errorf("%w (libjpeg-turbo: %s)", err, warn)
	}
	return im, err
}

// decodeGo decodes src with image/jpeg at full size.
func decodeGo(src []byte, r Request) (Image, error) {
	img, err := jpeg.Decode(bytes.NewReader(src))
	if err != nil {
		return Image{}, err
	}
	if b := img.Bounds(); b.Dx() != r.Width || b.Dy() != r.Height {
		return Image{}, fmt.Errorf("decodes to %dx%d, its header says %dx%d", b.Dx(), b.Dy(), r.Width, r.Height)
	}
	return ToCHW(img, r.Channels), nil
}

// reduction returns the largest denominator d among denoms (each a
// 1/d scale the library offers) for which the scaled size, rounded up as
// libjpeg does, keeps both sides at least minSide; 1 when none does.
func reduction(w, h, minSide int, denoms []int) int {
	best := 1
	if minSide <= 0 {
		return best
	}
	for _, d := range denoms {
		if d > best && ceilDiv(w, d) >= minSide && ceilDiv(h, d) >= minSide {
			best = d
		}
	}
	return best
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
