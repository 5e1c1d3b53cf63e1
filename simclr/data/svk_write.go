package data

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"sync"

	"simclr-vk/internal/atomicfile"
)

// SVKOptions control WriteSVK.
type SVKOptions struct {
	// MaxSide > 0 resizes an image whose shorter side is longer to that
	// side (aspect kept, ResizeShorter); smaller images are never
	// upscaled. 0 keeps every image's size. The size is the Sized
	// dataset's ImageSize (the file's, for a folder whose Options
	// .NativeMinSide let it decode the image reduced).
	MaxSide int
	// Workers decode and resize images in parallel (0: runtime.NumCPU()).
	Workers int
	// Progress, when set, is called after each image written with the
	// images done and the total.
	Progress func(done, total int)
}

// WriteSVK writes train and test (nil: none) as the .svk file path (format
// in svk.go), through internal/atomicfile: an interrupted or failed write
// leaves no file under path (and the previous one, if any, untouched); a
// cancelled ctx stops it after the image being written, removing the
// temporary file.
// Images are decoded by o.Workers goroutines and written in order. The
// class names come from train when it implements Classer.
func WriteSVK(ctx context.Context, path string, train, test Dataset, o SVKOptions) error {
	splits := []Dataset{train}
	if test != nil {
		splits = append(splits, test)
	}
	c, _, _ := train.Shape()
	classes := 0
	for _, ds := range splits {
		if dc, _, _ := ds.Shape(); dc != c {
			return fmt.Errorf("data: %s: %s has %d channels, %s %d", path, train.Name(), c, ds.Name(), dc)
		}
		classes = max(classes, ds.NumClasses())
		if ds.Len() < 1 {
			return fmt.Errorf("data: %s: %s has no images", path, ds.Name())
		}
	}
	if o.MaxSide < 0 || classes > MaxClasses {
		return fmt.Errorf("data: %s: max side %d or %d classes out of range", path, o.MaxSide, classes)
	}
	names := make([]string, classes)
	if cl, ok := train.(Classer); ok && len(cl.Classes()) == classes {
		copy(names, cl.Classes())
	}
	hdr, err := svkHeader(c, o.MaxSide, splits, names)
	if err != nil {
		return fmt.Errorf("data: %s: %w", path, err)
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		sw := &svkWriter{ctx: ctx, w: w, off: int64(len(hdr)), c: c, o: o}
		for _, ds := range splits {
			sw.total += ds.Len()
		}
		for _, ds := range splits {
			if err := sw.split(ds, classes); err != nil {
				return err
			}
		}
		return sw.finish()
	})
	if err != nil {
		return fmt.Errorf("data: write %s: %w", path, err)
	}
	return nil
}

// svkHeader encodes the header (through its CRC).
func svkHeader(c, maxSide int, splits []Dataset, classes []string) ([]byte, error) {
	var v []byte
	str := func(s, what string) error {
		if len(s) > 0xffff {
			return fmt.Errorf("%s name of %d bytes, more than 65535", what, len(s))
		}
		v = binary.LittleEndian.AppendUint16(v, uint16(len(s)))
		v = append(v, s...)
		return nil
	}
	for i, ds := range splits {
		v = binary.LittleEndian.AppendUint64(v, uint64(ds.Len()))
		if err := str([]string{"train", "test"}[i], "split"); err != nil {
			return nil, err
		}
	}
	for _, n := range classes {
		if err := str(n, "class"); err != nil {
			return nil, err
		}
	}
	if len(v)+4 > maxSVKHeader {
		return nil, fmt.Errorf("class names take %d bytes, more than %d", len(v), maxSVKHeader)
	}
	h := []byte(svkMagic)
	for _, x := range []int{svkVersion, len(v) + 4, c, len(classes), len(splits), maxSide} {
		h = binary.LittleEndian.AppendUint32(h, uint32(x))
	}
	h = append(h, v...)
	return binary.LittleEndian.AppendUint32(h, crc32.Checksum(h, castagnoli)), nil
}

// svkWriter streams the pixels and collects the index.
type svkWriter struct {
	ctx   context.Context
	w     io.Writer
	off   int64
	c     int
	o     SVKOptions
	index []byte
	done  int
	total int
}

type decoded struct {
	im  Image
	err error
}

// split writes the images of ds in order, decoded by o.Workers goroutines
// at most 2*workers images ahead of the writer.
func (sw *svkWriter) split(ds Dataset, classes int) error {
	workers := sw.o.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	n, window := ds.Len(), 2*workers
	slots := make([]chan decoded, window)
	for i := range slots {
		slots[i] = make(chan decoded, 1)
	}
	tokens := make(chan struct{}, window) // images dispatched and not yet written
	jobs := make(chan int)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(quit)
	wg.Add(workers + 1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		for i := 0; i < n; i++ {
			select {
			case tokens <- struct{}{}:
			case <-quit:
				return
			}
			select {
			case jobs <- i:
			case <-quit:
				return
			}
		}
	}()
	for range workers {
		go func() {
			defer wg.Done()
			for i := range jobs {
				select {
				case slots[i%window] <- sw.decode(ds, i):
				case <-quit:
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		var r decoded
		if sw.ctx.Err() != nil {
			return fmt.Errorf("interrupted after %d of %d images: %w", sw.done, sw.total, context.Cause(sw.ctx))
		}
		select {
		case r = <-slots[i%window]:
		case <-sw.ctx.Done():
			return fmt.Errorf("interrupted after %d of %d images: %w", sw.done, sw.total, context.Cause(sw.ctx))
		}
		if r.err != nil {
			return r.err
		}
		l := ds.Label(i)
		if l < -1 || l >= classes {
			return fmt.Errorf("%s image %d: label %d outside [-1, %d)", ds.Name(), i, l, classes)
		}
		if _, err := sw.w.Write(r.im.Pix); err != nil {
			return err
		}
		x := sw.index
		x = binary.LittleEndian.AppendUint64(x, uint64(sw.off))
		x = binary.LittleEndian.AppendUint32(x, uint32(r.im.H))
		x = binary.LittleEndian.AppendUint32(x, uint32(r.im.W))
		x = binary.LittleEndian.AppendUint32(x, uint32(int32(l)))
		sw.index = binary.LittleEndian.AppendUint32(x, crc32.Checksum(r.im.Pix, castagnoli))
		sw.off += int64(len(r.im.Pix))
		<-tokens
		if sw.done++; sw.o.Progress != nil {
			sw.o.Progress(sw.done, sw.total)
		}
	}
	return nil
}

// decode reads image i of ds and bounds its size.
func (sw *svkWriter) decode(ds Dataset, i int) decoded {
	im, err := ds.Image(i)
	if err != nil {
		return decoded{err: err}
	}
	if im.C != sw.c || len(im.Pix) != im.C*im.H*im.W {
		return decoded{err: fmt.Errorf("%s image %d: %dx%dx%d with %d bytes, want %d channels", ds.Name(), i, im.H, im.W, im.C, len(im.Pix), sw.c)}
	}
	// The size the image would have decoded at full size: a folder opened
	// with Options.NativeMinSide may have decoded it reduced, and the
	// stored size must not depend on that.
	h, w := im.H, im.W
	if sz, ok := ds.(Sized); ok {
		h, w = sz.ImageSize(i)
	}
	s := sw.o.MaxSide
	switch {
	case s > 0 && min(h, w) > s:
		rh, rw := ResizedSize(h, w, s)
		if min(im.H, im.W) < s {
			return decoded{err: fmt.Errorf("%s image %d: decoded at %dx%d, below the max side %d", ds.Name(), i, im.W, im.H, s)}
		}
		im = resizeTo(im, rh, rw)
	case h != im.H || w != im.W:
		return decoded{err: fmt.Errorf("%s image %d: decoded at %dx%d, its size is %dx%d", ds.Name(), i, im.W, im.H, w, h)}
	}
	return decoded{im: im}
}

// finish writes the index and the trailer.
func (sw *svkWriter) finish() error {
	if sw.done != sw.total {
		return errors.New("not every image was written")
	}
	if _, err := sw.w.Write(sw.index); err != nil {
		return err
	}
	t := binary.LittleEndian.AppendUint64(nil, uint64(sw.off))
	t = binary.LittleEndian.AppendUint32(t, crc32.Checksum(sw.index, castagnoli))
	t = binary.LittleEndian.AppendUint32(t, 0)
	_, err := sw.w.Write(append(t, svkEnd...))
	return err
}
