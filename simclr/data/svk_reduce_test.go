package data

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/internal/jpegdec"
)

// TestPrepareReducedDecode: with Options.NativeMinSide (prepare's
// --max-side), a folder's large JPEGs decode at a DCT reduction and WriteSVK
// stores the same images as from a full decode: the same sizes (from the
// header's, not the reduced image's: 1003x600 gives 427x256 from the full
// image and would give 428x256 from its 502x300 half) and pixels within 4
// levels on average, 24 at most (measured 1.0-2.8 on average, max 5-17, the
// largest on this test's 9x7-pixel checker with per-pixel noise: the
// scaled IDCT averages each block where the full decode's resize weighs
// the pixels with Pillow's triangle filter, and chroma is upsampled
// differently). An image whose shorter side is not above the max side is
// stored whole and identical.
func TestPrepareReducedDecode(t *testing.T) {
	if !jpegdec.New(jpegdec.Options{}).UsesLibrary() {
		t.Skip("no libjpeg-turbo (apt-get install libturbojpeg0): no DCT reduction to compare")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a", "1.jpg"), photoJPEG(t, 1003, 600, false, 1)) // 1/2 for 256 (502x300; 1/4 gives 150), 1/8 for 64
	write(t, filepath.Join(dir, "a", "2.jpg"), photoJPEG(t, 600, 1000, true, 2))  // gray, 1/2 for 256 (300x500)
	write(t, filepath.Join(dir, "b", "3.jpg"), photoJPEG(t, 301, 200, false, 3))  // kept whole for 256, 1/2 for 64
	for _, c := range []struct {
		side    int
		reduced []int // the decoded width of each image with NativeMinSide
	}{{256, []int{502, 300, 301}}, {64, []int{126, 75, 151}}} {
		full, _, err := Open(dir, Options{NativeSize: true})
		must(t, err)
		red, _, err := Open(dir, Options{NativeSize: true, NativeMinSide: c.side})
		must(t, err)
		for i, w := range c.reduced {
			im, err := red.Image(i)
			must(t, err)
			if h, w0 := red.(Sized).ImageSize(i); im.W != w || h != full.(*Folder).sizes[i].Y || w0 != full.(*Folder).sizes[i].X {
				t.Errorf("max side %d, image %d: decoded %d wide, want %d (the DCT reduction); ImageSize %dx%d", c.side, i, im.W, w, w0, h)
			}
		}
		var got [2]Dataset
		for k, ds := range []Dataset{full, red} {
			p := filepath.Join(t.TempDir(), "d.svk")
			must(t, WriteSVK(context.Background(), p, ds, nil, SVKOptions{MaxSide: c.side, Workers: 2}))
			got[k], _, err = Open(p, Options{})
			must(t, err)
			defer got[k].Close()
		}
		for i := 0; i < full.Len(); i++ {
			a, err := got[0].Image(i)
			must(t, err)
			b, err := got[1].Image(i)
			must(t, err)
			if a.C != b.C || a.H != b.H || a.W != b.W {
				t.Fatalf("max side %d, image %d: stored %dx%dx%d from the full decode, %dx%dx%d from the reduced one", c.side, i, a.C, a.H, a.W, b.C, b.H, b.W)
			}
			sum, largest := 0, 0
			for k := range a.Pix {
				d := int(a.Pix[k]) - int(b.Pix[k])
				sum, largest = sum+max(d, -d), max(largest, d, -d)
			}
			mean := float64(sum) / float64(len(a.Pix))
			t.Logf("max side %d, image %d (%dx%d stored): mean abs diff %.2f, max %d", c.side, i, a.W, a.H, mean, largest)
			if c.side == 256 && i == 2 && sum != 0 {
				t.Errorf("max side %d: the small image differs (%.2f on average), want it stored whole from both", c.side, mean)
			}
			if mean > 4 || largest > 24 {
				t.Errorf("max side %d, image %d: the reduced decode differs by %.2f on average, %d at most (tolerance 4, 24)", c.side, i, mean, largest)
			}
		}
	}
	for _, o := range []Options{{NativeMinSide: 32}, {NativeSize: true, NativeMinSide: -1}} {
		if _, _, err := Open(dir, o); err == nil || !strings.Contains(err.Error(), "native minimum side") {
			t.Errorf("Open with %+v: %v, want the native minimum side refused", o, err)
		}
	}
}
