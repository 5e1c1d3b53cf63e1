package augment

import (
	"fmt"
	"math"
	"slices"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// MaxUpload caps the source bytes of one upload (one augment_resample
// dispatch): a batch of large photos goes up in pieces of at most this
// size instead of one buffer the device may not address or hold.
const MaxUpload = 256 << 20

// UploadLimit is the most source bytes one upload on rt takes: MaxUpload,
// or want where 0 < want < MaxUpload (vulkan.Options.AugmentUpload, so
// that tests split small batches), at most the device's
// maxStorageBufferRange and an eighth of its memory heap, rounded down to
// whole words (at least one).
func UploadLimit(rt *vkrt.Device, want int64) int64 {
	lim := int64(MaxUpload)
	if want > 0 {
		lim = min(lim, want)
	}
	lim = min(lim, int64(rt.Limits().MaxStorageBufferRange))
	if heap := rt.HeapSize(); heap > 0 {
		lim = min(lim, int64(min(heap/8, math.MaxInt64)))
	}
	return max(4, lim&^3)
}

// chunk is one upload and its augment_resample dispatch: the images it
// holds (in order, bytes in all) and the views it renders, as float32
// values carrying the view indices' bits (the shader's sel).
type chunk struct {
	images []int
	views  []float32
	bytes  int64
}

// planBufs are plan's buffers, kept across batches.
type planBufs struct {
	used    []bool
	offsets []uint64
	chunkOf []int
	chunks  []chunk // their images and views slices are reused too
}

// plan packs the images that views read, in order, into chunks of at
// most limit bytes, and returns them with each image's byte offset in its
// chunk (both b's buffers, valid until the next call). An image larger
// than limit is an error.
func (b *planBufs) plan(images []engine.AugmentImage, views []engine.AugmentView, limit int64) ([]chunk, []uint64, error) {
	b.used = grow(b.used, len(images))
	used := b.used
	clear(used)
	for _, p := range views {
		used[p.Image] = true
	}
	b.offsets, b.chunkOf = grow(b.offsets, len(images)), grow(b.chunkOf, len(images))
	offsets, chunkOf := b.offsets, b.chunkOf
	clear(offsets)
	chunks := b.chunks[:0]
	for i, im := range images {
		if !used[i] {
			continue
		}
		n := int64(len(im.Pix))
		if n > limit {
			return nil, nil, fmt.Errorf("engine/vulkan: AugmentViews: image %d (%d x %d x %d) holds %d bytes, more than the %d one upload to the device takes (the least of %d, maxStorageBufferRange and an eighth of the memory heap): render its views on the host (augment.Apply) or make it smaller",
				i, im.C, im.H, im.W, n, limit, MaxUpload)
		}
		if len(chunks) == 0 || chunks[len(chunks)-1].bytes+n > limit {
			chunks = slices.Grow(chunks, 1)[:len(chunks)+1]
			last := &chunks[len(chunks)-1]
			*last = chunk{images: last.images[:0], views: last.views[:0]}
		}
		k := len(chunks) - 1
		offsets[i], chunkOf[i] = uint64(chunks[k].bytes), k
		chunks[k].images = append(chunks[k].images, i)
		chunks[k].bytes += n
	}
	for v, p := range views {
		k := chunkOf[p.Image]
		chunks[k].views = append(chunks[k].views, math.Float32frombits(uint32(v)))
	}
	b.chunks = chunks
	return chunks, offsets, nil
}

// packBytes packs the bytes of images[idx...] back to back, four to a
// word (little-endian), into words float32 values carrying those bits, in
// buf's storage when it has room (every word is written).
func packBytes(buf []float32, images []engine.AugmentImage, idx []int, words int) []float32 {
	out := grow(buf, words)
	var w uint32
	k := 0
	for _, i := range idx {
		for _, b := range images[i].Pix {
			w |= uint32(b) << (8 * (k & 3))
			k++
			if k&3 == 0 {
				out[k/4-1] = math.Float32frombits(w)
				w = 0
			}
		}
	}
	if k&3 != 0 {
		out[k/4] = math.Float32frombits(w)
	}
	return out
}

// pack is chunk ch's bytes packed four to a word (packBytes), in o's
// buffer (valid until the next call), grown when ch needs more.
func (o *Ops) pack(images []engine.AugmentImage, ch chunk) []float32 {
	o.words = packBytes(o.words, images, ch.images, max(1, int((ch.bytes+3)/4)))
	return o.words
}

// The bytes buffer's release rule (trim): a buffer larger than an eighth
// of the upload limit (32 MiB at the default 256 MiB) is dropped after
// releaseAfter batches in a row whose largest upload needed under a
// quarter of it. A steady batch size never meets it (its uploads need
// what the buffer grew to), so steady batches allocate nothing; a batch
// of large images between smaller ones only restarts the count.
const releaseAfter = 4

// trim ends a batch whose uploads were chunks: it drops o's bytes buffer,
// for the garbage collector to reclaim, under the release rule above (the
// next batch's first upload then allocates what it needs).
func (o *Ops) trim(chunks []chunk) {
	held := 4 * int64(cap(o.words))
	var need int64
	for _, ch := range chunks {
		need = max(need, ch.bytes)
	}
	if held <= o.limit/8 || 4*need >= held {
		o.small = 0
		return
	}
	if o.small++; o.small >= releaseAfter {
		o.words, o.small = nil, 0
	}
}
