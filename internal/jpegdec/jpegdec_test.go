package jpegdec

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// photo returns a w x h test image: ramps of different slopes per
// channel, a checker of 9x7 cells and seeded noise, so the JPEG has edges
// and texture like a photo. gray makes an *image.Gray (a 1-component JPEG).
func photo(w, h int, gray bool, seed int64) image.Image {
	rng := rand.New(rand.NewSource(seed))
	px := func(x, y, c int) uint8 {
		v := 30 + x*(60+30*c)/w + y*(90-30*c)/h + ((x/9+y/7)%2)*40 + rng.Intn(16)
		return uint8(min(v, 255))
	}
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				g.SetGray(x, y, color.Gray{px(x, y, 0)})
			}
		}
		return g
	}
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, color.NRGBA{px(x, y, 0), px(x, y, 1), px(x, y, 2), 255})
		}
	}
	return m
}

func encode(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// turbo returns the libjpeg-turbo decoder, skipping the test where the
// library is not installed (apt-get install libturbojpeg0).
func turbo(t testing.TB) *Decoder {
	d := New(Options{})
	if !d.UsesLibrary() {
		t.Skipf("no libjpeg-turbo: %s", d.Name())
	}
	return d
}

var goDec = New(Options{ForceGo: true})

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

// diff returns the mean and largest absolute difference of two images of
// one shape, failing t when the shapes differ.
func diff(t *testing.T, what string, a, b Image) (mean float64, largest int) {
	t.Helper()
	if a.C != b.C || a.H != b.H || a.W != b.W || len(a.Pix) != len(b.Pix) || len(a.Pix) != a.C*a.H*a.W {
		t.Fatalf("%s: shapes %dx%dx%d (%d bytes) and %dx%dx%d (%d bytes)", what, a.C, a.H, a.W, len(a.Pix), b.C, b.H, b.W, len(b.Pix))
	}
	sum := 0
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		d = max(d, -d)
		sum += d
		largest = max(largest, d)
	}
	return float64(sum) / float64(len(a.Pix)), largest
}

// agree decodes src with both decoders at full size and checks that they
// agree within meanTol and maxTol.
func agree(t *testing.T, what string, src []byte, w, h, channels int, meanTol float64, maxTol int) {
	t.Helper()
	r := Request{Width: w, Height: h, Channels: channels}
	a, err := turbo(t).Decode(src, r)
	if err != nil {
		t.Fatalf("%s: libjpeg-turbo: %v", what, err)
	}
	b, err := goDec.Decode(src, r)
	if err != nil {
		t.Fatalf("%s: Go: %v", what, err)
	}
	mean, largest := diff(t, what, a, b)
	t.Logf("%s, %d channels: mean abs diff %.3f, max %d", what, channels, mean, largest)
	if mean > meanTol || largest > maxTol {
		t.Errorf("%s, %d channels: libjpeg-turbo and Go differ by %.3f on average, %d at most (tolerance %.2f, %d)", what, channels, mean, largest, meanTol, maxTol)
	}
}

// Tolerances of libjpeg-turbo against Go. Luma: both use libjpeg's
// integer IDCT; they differ by at most 1 in rounding. Colour: the
// conversion differs by at most 2 in rounding (4:4:4); with subsampled
// chroma libjpeg-turbo's triangular upsampling differs from Go's
// replication at colour edges (measured up to 1.6 mean, 6 max on 13x7).
const (
	lumaMean, lumaMax = 0.1, 1
	c444Mean, c444Max = 0.3, 2
	c420Mean, c420Max = 2, 8
)

func TestDecodersAgree(t *testing.T) {
	turbo(t)
	for _, sz := range [][2]int{{64, 48}, {13, 7}, {1, 1}, {7, 13}} {
		w, h := sz[0], sz[1]
		gray := encode(t, photo(w, h, true, 1), 90)
		for _, c := range []int{1, 3} {
			agree(t, "gray "+dims(w, h), gray, w, h, c, lumaMean, lumaMax)
		}
		col := encode(t, photo(w, h, false, 2), 90)
		agree(t, "colour "+dims(w, h), col, w, h, 1, lumaMean, lumaMax)
		agree(t, "colour "+dims(w, h), col, w, h, 3, c420Mean, c420Max)
	}
	for _, name := range []string{"progressive.jpg", "restart.jpg", "444.jpg"} {
		src := readTestdata(t, name)
		tolMean, tolMax := float64(c420Mean), c420Max
		if name == "444.jpg" {
			tolMean, tolMax = c444Mean, c444Max
		}
		agree(t, name, src, 37, 29, 3, tolMean, tolMax)
		agree(t, name, src, 37, 29, 1, lumaMean, lumaMax)
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func dims(w, h int) string { return strconv.Itoa(w) + "x" + strconv.Itoa(h) }

// A gray JPEG asked for as RGB has three equal planes.
func TestGrayAsRGB(t *testing.T) {
	src := encode(t, photo(13, 7, true, 3), 80)
	for _, d := range []*Decoder{turbo(t), goDec} {
		im, err := d.Decode(src, Request{Width: 13, Height: 7, Channels: 3})
		if err != nil {
			t.Fatal(err)
		}
		p := 13 * 7
		if !bytes.Equal(im.Pix[:p], im.Pix[p:2*p]) || !bytes.Equal(im.Pix[:p], im.Pix[2*p:]) {
			t.Errorf("%s: gray JPEG as RGB has unequal planes", d.Name())
		}
	}
}

// CMYK JPEGs go to Go's decoder: the result is Go's, exactly.
func TestCMYKFallsBackToGo(t *testing.T) {
	src := readTestdata(t, "cmyk.jpg")
	r := Request{Width: 37, Height: 29, Channels: 3}
	a, err := turbo(t).Decode(src, r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := goDec.Decode(src, r)
	if err != nil {
		t.Fatal(err)
	}
	if mean, largest := diff(t, "cmyk", a, b); largest != 0 {
		t.Errorf("CMYK JPEG: differs from Go's decoding by %.3f mean, %d max", mean, largest)
	}
}

// One decoder serves many goroutines (the loader's workers): each decode
// has its own TurboJPEG handle.
func TestConcurrentDecodes(t *testing.T) {
	d := turbo(t)
	src := encode(t, photo(64, 48, false, 12), 90)
	r := Request{Width: 64, Height: 48, Channels: 3, MinSide: 20}
	want, err := d.Decode(src, r)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				im, err := d.Decode(src, r)
				if err == nil && !bytes.Equal(im.Pix, want.Pix) {
					err = fmt.Errorf("decode %d differs from the first", i)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
