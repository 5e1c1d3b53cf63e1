//go:build !cgo

package jpegdec

import "errors"

// Without cgo there is no libjpeg-turbo: every JPEG goes to Go's decoder.

type library struct{ desc string }

func loadLibrary(path string) (*library, string) { return nil, "built without cgo" }

func (l *library) decode(src []byte, r Request) (Image, string, error) {
	return Image{}, "", errors.New("jpegdec: built without cgo")
}
