package jpegdec

import (
	"strings"
	"testing"
)

// The library decodes at the largest reduction that keeps the shorter
// side at least MinSide, with libjpeg's rounded-up sizes; Go's decoder at
// full size.
func TestScaledSizes(t *testing.T) {
	d := turbo(t)
	src := encode(t, photo(500, 375, false, 4), 85)
	for _, c := range []struct{ minSide, w, h int }{
		{0, 500, 375}, {224, 500, 375}, {188, 250, 188}, {189, 500, 375},
		{94, 125, 94}, {93, 125, 94}, {47, 63, 47}, {32, 63, 47}, {1, 63, 47},
		{375, 500, 375}, {376, 500, 375},
	} {
		im, err := d.Decode(src, Request{Width: 500, Height: 375, Channels: 3, MinSide: c.minSide})
		if err != nil {
			t.Fatal(err)
		}
		if im.W != c.w || im.H != c.h || im.C != 3 || len(im.Pix) != 3*c.w*c.h {
			t.Errorf("min side %d: %dx%dx%d (%d bytes), want 3x%dx%d", c.minSide, im.C, im.H, im.W, len(im.Pix), c.h, c.w)
		}
		g, err := goDec.Decode(src, Request{Width: 500, Height: 375, Channels: 3, MinSide: c.minSide})
		if err != nil || g.W != 500 || g.H != 375 {
			t.Errorf("Go decoder, min side %d: %dx%d, %v; want full size", c.minSide, g.W, g.H, err)
		}
	}
	if got := reduction(9, 9, 1, []int{2, 4, 8}); got != 8 {
		t.Errorf("9x9 for min side 1: reduction 1/%d, want 1/8 (2x2)", got)
	}
}

// A reduced decode shows the same picture as Go's full decode averaged
// over d x d blocks (the DCT reduction is a low-pass, not a subsampling).
func TestScaledContent(t *testing.T) {
	d := turbo(t)
	const w, h = 96, 64
	src := encode(t, photo(w, h, false, 5), 95)
	full, err := goDec.Decode(src, Request{Width: w, Height: h, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []int{2, 4, 8} {
		im, err := d.Decode(src, Request{Width: w, Height: h, Channels: 3, MinSide: h / f})
		if err != nil {
			t.Fatal(err)
		}
		box := Image{C: 3, H: h / f, W: w / f, Pix: make([]uint8, 3*(h/f)*(w/f))}
		for c := 0; c < 3; c++ {
			for y := 0; y < box.H; y++ {
				for x := 0; x < box.W; x++ {
					sum := 0
					for dy := 0; dy < f; dy++ {
						for dx := 0; dx < f; dx++ {
							sum += int(full.Pix[(c*h+y*f+dy)*w+x*f+dx])
						}
					}
					box.Pix[(c*box.H+y)*box.W+x] = uint8((sum + f*f/2) / (f * f))
				}
			}
		}
		mean, largest := diff(t, "scaled", im, box)
		t.Logf("1/%d: mean abs diff %.2f, max %d against Go's full decode box-filtered", f, mean, largest)
		if mean > 4 {
			t.Errorf("1/%d decode differs from the box-filtered full decode by %.2f on average", f, mean)
		}
	}
}

// Corrupt and truncated files are errors from both decoders (a libjpeg
// error never ends the process), and the library's message is kept.
func TestCorruptInputs(t *testing.T) {
	good := encode(t, photo(40, 30, false, 6), 90)
	r := Request{Width: 40, Height: 30, Channels: 3}
	cases := map[string][]byte{
		"truncated":      good[:len(good)/2],
		"header only":    good[:200],
		"not a JPEG":     []byte("not a jpeg at all"),
		"empty":          {},
		"no scan data":   append(append([]byte{}, good[:len(good)-400]...), 0xff, 0xd9),
		"bad huffman":    corruptMarker(good, 0xc4),
		"bad quant":      corruptMarker(good, 0xdb),
		"lying header":   good, // decoded against a request of another size
		"mixed up bytes": flipBody(good),
	}
	for _, d := range []*Decoder{New(Options{}), goDec} {
		for name, src := range cases {
			rr := r
			if name == "lying header" {
				rr.Width = 41
			}
			im, err := d.Decode(src, rr)
			if err == nil {
				if name == "mixed up bytes" { // garbage that still decodes
					continue
				}
				t.Errorf("%s, %s: decoded to %dx%d, want an error", d.Name(), name, im.W, im.H)
				continue
			}
			t.Logf("%s, %s: %v", d.Name(), name, err)
			if d.UsesLibrary() && name == "truncated" && !strings.Contains(err.Error(), "libjpeg-turbo") {
				t.Errorf("truncated: the error %q does not carry the library's message", err)
			}
		}
	}
}

// corruptMarker overwrites the segment after the first marker 0xff m with
// 0xff bytes.
func corruptMarker(b []byte, m byte) []byte {
	out := append([]byte{}, b...)
	for i := 2; i+4 < len(out); i++ {
		if out[i] == 0xff && out[i+1] == m {
			for j := i + 4; j < i+4+16 && j < len(out); j++ {
				out[j] = 0xff
			}
			break
		}
	}
	return out
}

// flipBody scrambles the middle of the entropy-coded data.
func flipBody(b []byte) []byte {
	out := append([]byte{}, b...)
	for i := len(out) / 2; i < len(out)/2+64; i++ {
		out[i] ^= 0x5a
	}
	return out
}

// A library path that does not load, or loads something that is not
// TurboJPEG, leaves Go's decoder in use, saying why.
func TestMissingLibraryFallsBack(t *testing.T) {
	src := encode(t, photo(13, 7, false, 7), 90)
	for path, why := range map[string]string{
		"/nonexistent/libturbojpeg.so.0": "/nonexistent/libturbojpeg.so.0",
		"libm.so.6":                      "has no tjInitDecompress",
	} {
		d := New(Options{Library: path})
		if strings.Contains(d.Name(), "built without cgo") {
			why = "built without cgo"
		}
		if d.UsesLibrary() || !strings.Contains(d.Name(), "image/jpeg") || !strings.Contains(d.Name(), why) {
			t.Errorf("Library %s: decoder %q, want Go's naming %q", path, d.Name(), why)
		}
		im, err := d.Decode(src, Request{Width: 13, Height: 7, Channels: 3, MinSide: 1})
		if err != nil || im.W != 13 || im.H != 7 {
			t.Errorf("Library %s: %dx%d, %v", path, im.W, im.H, err)
		}
	}
	var none *Decoder
	if im, err := none.Decode(src, Request{Width: 13, Height: 7, Channels: 1}); err != nil || im.W != 13 {
		t.Errorf("nil decoder: %dx%d, %v", im.W, im.H, err)
	}
	if d := New(Options{}); d.UsesLibrary() && !strings.Contains(d.Name(), "libturbojpeg.so") {
		t.Errorf("library decoder named %q, without its path", d.Name())
	}
}

// Random damage to a JPEG gives an image of the requested shape or an
// error, never a crash (the library's errors stay inside its C frames).
func TestDamagedJPEGsNeverCrash(t *testing.T) {
	d := turbo(t)
	good := encode(t, photo(24, 16, false, 8), 75)
	rng := newRand(9)
	for i := 0; i < 300; i++ {
		b := append([]byte{}, good...)
		for k := 0; k < 1+rng.Intn(4); k++ {
			b[rng.Intn(len(b))] = byte(rng.Intn(256))
		}
		if rng.Intn(4) == 0 {
			b = b[:rng.Intn(len(b))]
		}
		im, err := d.Decode(b, Request{Width: 24, Height: 16, Channels: 3, MinSide: 8})
		if err == nil && (im.C != 3 || len(im.Pix) != 3*im.W*im.H || im.W < 8 || im.H < 8) {
			t.Fatalf("damaged JPEG %d: %dx%dx%d, %d bytes", i, im.C, im.H, im.W, len(im.Pix))
		}
	}
}

// FuzzDecode: any bytes decode to an image of the requested channels and
// a size the request allows, or give an error; nothing ends the process.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"progressive.jpg", "restart.jpg", "444.jpg", "cmyk.jpg"} {
		f.Add(readTestdata(f, name), uint8(8))
	}
	f.Add(encode(f, photo(16, 16, true, 13), 50), uint8(0))
	d := New(Options{})
	f.Fuzz(func(t *testing.T, b []byte, minSide uint8) {
		r := Request{Width: 37, Height: 29, Channels: 3, MinSide: int(minSide)}
		if len(b) > 1<<16 {
			return
		}
		im, err := d.Decode(b, r)
		if err != nil {
			return
		}
		full := im.W == 37 && im.H == 29
		reduced := im.W < 37 && im.H < 29 && min(im.W, im.H) >= r.MinSide
		if im.C != 3 || len(im.Pix) != 3*im.W*im.H || !full && !reduced {
			t.Fatalf("min side %d: %dx%dx%d, %d bytes", r.MinSide, im.C, im.H, im.W, len(im.Pix))
		}
	})
}
