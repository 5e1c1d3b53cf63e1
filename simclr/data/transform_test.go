package data

import "testing"

// TestEvalTransform checks torchvision Resize(2) + CenterCrop(2) of a 4x6
// image v(y, x) = 14y + 28x against a hand computation. Pillow's bilinear
// filter halving 4 rows: output row 0 is centred at 1 with support 2, taps
// rows 0, 1, 2 with weights 0.75, 0.75, 0.25 (/1.75): 3/7*0 + 3/7*14 +
// 1/7*28 = 10; row 1 taps rows 1, 2, 3 with 1/7, 3/7, 3/7: 2 + 12 + 18 =
// 32. The 6 columns become int(2*6/4) = 3: column 0 gives 3/7*28 + 1/7*56
// = 20, column 1 taps 1..4 with 1/8, 3/8, 3/8, 1/8: 3.5 + 21 + 31.5 + 14
// = 70. The filter is linear, so pixel (y, x) = row y + column x; the
// crop's left edge is round((3-2)/2) = round(0.5) = 0 (half to even).
func TestEvalTransform(t *testing.T) {
	im := Image{C: 1, H: 4, W: 6, Pix: make([]uint8, 24)}
	for y := range 4 {
		for x := range 6 {
			im.Pix[y*6+x] = uint8(14*y + 28*x)
		}
	}
	out := EvalTransform(im, 2)
	if want := []uint8{30, 80, 52, 102}; out.H != 2 || out.W != 2 || string(out.Pix) != string(want) {
		t.Errorf("EvalTransform = %dx%d %v, want 2x2 %v", out.H, out.W, out.Pix, want)
	}
	// No resize (the shorter side is already 2); the 5 columns crop from
	// round(1.5) = 2: columns 2 and 3. Torchvision sizes 4x7 -> 2x3.
	im = Image{C: 1, H: 2, W: 5, Pix: []uint8{0, 1, 2, 3, 4, 10, 11, 12, 13, 14}}
	if out := EvalTransform(im, 2); string(out.Pix) != string([]uint8{2, 3, 12, 13}) {
		t.Errorf("crop of 2x5: %v, want [2 3 12 13]", out.Pix)
	}
	// Rows: a 3x2 image crops from round(0.5) = 0, rows 0 and 1.
	im = Image{C: 1, H: 3, W: 2, Pix: []uint8{0, 1, 10, 11, 20, 21}}
	if out := EvalTransform(im, 2); string(out.Pix) != string([]uint8{0, 1, 10, 11}) {
		t.Errorf("crop of 3x2: %v, want [0 1 10 11]", out.Pix)
	}
	if h, w := ResizedSize(4, 7, 2); h != 2 || w != 3 {
		t.Errorf("ResizedSize(4, 7, 2) = %dx%d, want 2x3", h, w)
	}
	// Upscaling a constant image keeps it constant (edge taps renormalised).
	im = Image{C: 3, H: 2, W: 3, Pix: make([]uint8, 18)}
	for i := range im.Pix {
		im.Pix[i] = 77
	}
	out = EvalTransform(im, 5)
	for i, v := range out.Pix {
		if v != 77 || out.H != 5 || out.W != 5 {
			t.Fatalf("upscaled constant: pixel %d = %d (%dx%d)", i, v, out.H, out.W)
		}
	}
}

func TestFolderNativeSize(t *testing.T) {
	dir := mixedFolder(t)
	if _, _, err := Open(dir, Options{}); err == nil {
		t.Fatal("mixed sizes opened without an image size or native sizes")
	}
	if _, _, err := Open(dir, Options{NativeSize: true, ImageSize: 4}); err == nil {
		t.Fatal("native sizes and an image size both accepted")
	}
	tr, te, err := Open(dir, Options{NativeSize: true})
	if err != nil {
		t.Fatal(err)
	}
	im, err := tr.Image(2)
	if h, w := tr.(Sized).ImageSize(2); err != nil || im.H != 9 || im.W != 12 || h != 9 || w != 12 {
		t.Fatalf("image 2: %v %dx%d, size %dx%d, want 9x12", err, im.H, im.W, h, w)
	}
	if c, h, w := tr.Shape(); c != 3 || h != 4 || w != 4 || !VariesInSize(tr) {
		t.Errorf("nominal shape %dx%dx%d varies %v", c, h, w, VariesInSize(tr))
	}
	if _, h, w := te.Shape(); h != 7 || w != 3 || VariesInSize(te) {
		t.Errorf("one image: shape %dx%d varies %v, want 7x3 and not varying", h, w, VariesInSize(te))
	}
}
