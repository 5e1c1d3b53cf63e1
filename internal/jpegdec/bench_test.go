package jpegdec

import (
	"strconv"
	"testing"
)

// BenchmarkDecode decodes a 500x375 4:2:0 JPEG (quality 90, an ImageNet
// photo's size) with each decoder at full size and at the reductions
// --image-size 224 and 32 allow (none and 1/8 for this size).
func BenchmarkDecode(b *testing.B) {
	src := encode(b, photo(500, 375, false, 10), 90)
	b.Logf("500x375 JPEG: %d bytes", len(src))
	decs := map[string]*Decoder{"go": goDec}
	if d := New(Options{}); d.UsesLibrary() {
		decs["libjpeg-turbo"] = d
	}
	for name, d := range decs {
		for _, minSide := range []int{0, 224, 32} {
			b.Run(name+"/minside="+strconv.Itoa(minSide), func(b *testing.B) {
				r := Request{Width: 500, Height: 375, Channels: 3, MinSide: minSide}
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					if _, err := d.Decode(src, r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDecodeSmall decodes a 64x48 JPEG with libjpeg-turbo, where the
// per-image fixed cost (handle, header) weighs most.
func BenchmarkDecodeSmall(b *testing.B) {
	d := New(Options{})
	if !d.UsesLibrary() {
		b.Skip("libjpeg-turbo not installed")
	}
	src := encode(b, photo(64, 48, false, 10), 90)
	r := Request{Width: 64, Height: 48, Channels: 3}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Decode(src, r); err != nil {
			b.Fatal(err)
		}
	}
}
