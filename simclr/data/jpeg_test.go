package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/internal/alloctest"
	"simclr-vk/internal/jpegdec"
)

var forceGo = jpegdec.Options{ForceGo: true}

// photoJPEG encodes a w x h test picture (ramps, a checker, seeded noise).
func photoJPEG(t testing.TB, w, h int, gray bool, seed int64) []byte {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	px := func(x, y, c int) uint8 {
		return uint8(min(30+x*(60+30*c)/w+y*(90-30*c)/h+((x/9+y/7)%2)*40+rng.Intn(16), 255))
	}
	var img image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = px(i%w, i/w, 0)
		}
		img = g
	} else {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				m.SetNRGBA(x, y, color.NRGBA{px(x, y, 0), px(x, y, 1), px(x, y, 2), 255})
			}
		}
		img = m
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Image folders read the same pictures with libjpeg-turbo (reduced by its
// DCT scaling where the image size allows) as with Go's decoder: within 1
// level on average at full size; within 8 after EvalTransform to 32 and 64
// on average, where the reduced image, 50x38 for 200x150,
// rounds its height up and is resampled on its own grid, which moves the
// edges of this test's 9x7-pixel checker by up to half an output pixel.
func TestFolderJPEGDecodersAgree(t *testing.T) {
	if !jpegdec.New(jpegdec.Options{}).UsesLibrary() {
		t.Skip("no libjpeg-turbo (apt-get install libturbojpeg0)")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a", "1.jpg"), photoJPEG(t, 200, 150, false, 1))
	write(t, filepath.Join(dir, "b", "2.jpg"), photoJPEG(t, 200, 150, true, 2))
	write(t, filepath.Join(dir, "b", "3.png"), photoPNG(t))
	for _, size := range []int{0, 32, 64} {
		lib, _, err := Open(dir, Options{ImageSize: size})
		must(t, err)
		goDS, _, err := Open(dir, Options{ImageSize: size, JPEG: forceGo})
		must(t, err)
		for i := 0; i < lib.Len(); i++ {
			a, err := lib.Image(i)
			must(t, err)
			b, err := goDS.Image(i)
			must(t, err)
			if a.C != 3 || a.C != b.C || a.H != b.H || a.W != b.W {
				t.Fatalf("size %d image %d: %dx%dx%d and %dx%dx%d", size, i, a.C, a.H, a.W, b.C, b.H, b.W)
			}
			sum, largest := 0, 0
			for k := range a.Pix {
				d := int(a.Pix[k]) - int(b.Pix[k])
				sum, largest = sum+max(d, -d), max(largest, d, -d)
			}
			mean := float64(sum) / float64(len(a.Pix))
			t.Logf("size %d, %s: mean abs diff %.2f, max %d", size, filepath.Base(lib.(*Folder).File(i)), mean, largest)
			if tol := map[int]float64{0: 1, 32: 8, 64: 8}[size]; mean > tol {
				t.Errorf("size %d, image %d: libjpeg-turbo and Go differ by %.2f on average (tolerance %g)", size, i, mean, tol)
			}
		}
	}
}

func photoPNG(t *testing.T) []byte {
	im, err := jpeg.Decode(bytes.NewReader(photoJPEG(t, 200, 150, false, 3)))
	must(t, err)
	var b bytes.Buffer
	must(t, png.Encode(&b, im))
	return b.Bytes()
}

// forgeSOF rewrites the size in a JPEG's frame header.
func forgeSOF(b []byte, w, h int) []byte {
	out := append([]byte{}, b...)
	for i := 2; i+9 < len(out); i++ {
		if out[i] == 0xff && out[i+1] == 0xc0 {
			out[i+5], out[i+6], out[i+7], out[i+8] = byte(h>>8), byte(h), byte(w>>8), byte(w)
			break
		}
	}
	return out
}

// Hostile JPEG headers are refused from the header, naming the file,
// before any decoder allocates for them; corrupt and truncated bodies are
// errors naming the file from both decoders.
func TestFolderHostileJPEGs(t *testing.T) {
	good := photoJPEG(t, 40, 30, false, 4)
	for _, opts := range []Options{{ImageSize: 16}, {ImageSize: 16, JPEG: forceGo}} {
		for _, c := range []struct {
			name string
			b    []byte
			want string
		}{
			{"huge", forgeSOF(good, 65000, 65000), "above the limit of 89478485 pixels"},
			{"beyond file", forgeSOF(good, 4000, 3000), "cannot be held in"},
			{"zero", forgeSOF(good, 0, 30), "zero dimension"},
		} {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "a.jpg"), c.b)
			var err error
			if got := alloctest.Bytes(func() { err = openWithin(t, dir, opts) }); got > 1<<20 {
				t.Errorf("%s: allocated %d bytes", c.name, got)
			}
			wantErr(t, err, "a.jpg", c.want)
		}
		for name, b := range map[string][]byte{
			"truncated": good[:len(good)*2/3],
			"corrupt":   append(append([]byte{}, good[:len(good)/2]...), bytes.Repeat([]byte{0xff, 0xd0}, len(good)/4)...),
		} {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "b.jpg"), b)
			err := openWithin(t, dir, opts)
			wantErr(t, err, "b.jpg", "does not decode")
			t.Logf("%s, Go forced %v: %v", name, opts.JPEG.ForceGo, err)
		}
	}
}

// A JPEG padded far beyond what its pixels need is decoded streamed by
// Go, not read whole into memory.
func TestPaddedJPEGNotReadWhole(t *testing.T) {
	p := filepath.Join(t.TempDir(), "flat", "a.jpg")
	write(t, p, photoJPEG(t, 6, 4, false, 5))
	must(t, os.Truncate(p, 256<<20))
	ds, _, err := Open(filepath.Dir(p), Options{})
	must(t, err)
	if got := alloctest.Bytes(func() { _, err = ds.Image(0) }); err != nil || got > 4<<20 {
		t.Fatalf("decoding a 6x4 JPEG padded to 256 MiB: %v, allocated %d bytes", err, got)
	}
}

// The decoder in use is named once per decoder.
func TestNoteJPEGOnce(t *testing.T) {
	d := jpegdec.New(jpegdec.Options{Library: "/nonexistent/" + t.Name()})
	jpegNoted.Delete(d.Name()) // without cgo, another test may have named it
	var b bytes.Buffer
	noteJPEG(&b, d)
	noteJPEG(&b, d)
	if got := b.String(); strings.Count(got, "note: JPEG decoding: image/jpeg") != 1 {
		t.Errorf("notes: %q", got)
	}
}

// BenchmarkFolderJPEG reads one 500x375 JPEG through Folder.Image (open,
// header checks, decode, resize and centre-crop) with each decoder, at
// full size and at --image-size 224 and 32.
func BenchmarkFolderJPEG(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.jpg"), photoJPEG(b, 500, 375, false, 11), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, dec := range []struct {
		name string
		opts jpegdec.Options
	}{{"go", forceGo}, {"libjpeg-turbo", jpegdec.Options{}}} {
		if !dec.opts.ForceGo && !jpegdec.New(dec.opts).UsesLibrary() {
			continue
		}
		for _, size := range []int{0, 224, 32} {
			ds, _, err := Open(dir, Options{ImageSize: size, JPEG: dec.opts})
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/size=%d", dec.name, size), func(b *testing.B) {
				for b.Loop() {
					if _, err := ds.Image(0); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
