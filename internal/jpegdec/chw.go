package jpegdec

import (
	"image"
	"image/color"
)

// ToCHW converts a decoded image (from Go's JPEG or PNG decoder) to c
// planes: 1, luma; 3, RGB. Alpha is dropped.
func ToCHW(img image.Image, c int) Image {
	r := img.Bounds()
	h, w := r.Dy(), r.Dx()
	im := Image{C: c, H: h, W: w, Pix: make([]uint8, c*h*w)}
	plane := h * w
	switch src := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			row := src.Pix[y*src.Stride : y*src.Stride+w]
			for k := 0; k < c; k++ {
				copy(im.Pix[k*plane+y*w:], row)
			}
		}
		return im
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				yi := src.YOffset(r.Min.X+x, r.Min.Y+y)
				if c == 1 {
					im.Pix[y*w+x] = src.Y[yi]
					continue
				}
				ci := src.COffset(r.Min.X+x, r.Min.Y+y)
				R, G, B := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
				im.Pix[y*w+x], im.Pix[plane+y*w+x], im.Pix[2*plane+y*w+x] = R, G, B
			}
		}
		return im
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				o := y*src.Stride + 4*x
				setPix(im, c, y, x, src.Pix[o], src.Pix[o+1], src.Pix[o+2])
			}
		}
		return im
	}
	at := func(x, y int) (r, g, b, a uint32) { return img.At(x, y).RGBA() }
	if src, ok := img.(image.RGBA64Image); ok { // no interface value per pixel
		at = func(x, y int) (r, g, b, a uint32) {
			c := src.RGBA64At(x, y)
			return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			R, G, B, _ := at(r.Min.X+x, r.Min.Y+y)
			setPix(im, c, y, x, uint8(R>>8), uint8(G>>8), uint8(B>>8))
		}
	}
	return im
}

func setPix(im Image, c, y, x int, r, g, b uint8) {
	plane := im.H * im.W
	if c == 1 {
		// ITU-R 601 luma, as image/color's GrayModel.
		im.Pix[y*im.W+x] = uint8((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16)
		return
	}
	im.Pix[y*im.W+x], im.Pix[plane+y*im.W+x], im.Pix[2*plane+y*im.W+x] = r, g, b
}
