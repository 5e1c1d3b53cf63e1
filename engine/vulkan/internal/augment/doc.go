// Package augment is the Vulkan op family that renders SimCLR views on the
// device (engine.ViewAugmenter's AugmentViews): the uint8 source images of a
// batch, packed four bytes to a word with an offset per image (images may
// differ in size), and a table of VIEW_WORDS words per view (the layout is
// shaders/augment_view.glsl's) go up; the float32 (views, C, size, size)
// tensor is written in place by up to four dispatches in the CPU's order
// of operations (simclr/augment Apply, the specification):
//
//  1. augment_resample: one invocation per value, the bilinear resize of
//     the crop (flipped) from the bytes. The images go up in uploads of at
//     most UploadLimit bytes (256 MiB, the device's maxStorageBufferRange
//     and an eighth of its heap, or less with vulkan.Options.AugmentUpload),
//     whole images in order (plan, upload.go), one dispatch per upload
//     rendering the views of its images (a list of view indices), so a
//     batch of any total size fits; an image larger than one upload is
//     refused with the device's sticky error. Splitting whole images was
//     chosen over uploading each view's crop box: the crops of a batch's
//     two views per image hold up to twice its bytes (about 1.1 times on
//     average at scale 0.08-1), so a batch would need splitting anyway,
//     and whole images keep the shader's addressing and bit-identical
//     results however the batch is split;
//  2. augment_color (only when some view jitters or turns gray): one
//     workgroup per view, the four colour operations in the view's order
//     (contrast's mean a workgroup sum), then grayscale;
//  3. augment_blur_h (only when some view blurs): the horizontal Gaussian
//     pass into a scratch tensor;
//  4. augment_finish (only when some view blurs, solarises, adds noise or
//     normalises): the vertical blur pass, solarisation, the counter-hash
//     Gaussian noise and the normalisation.
//
// The results equal the CPU's within float32 rounding (the device computes
// the bilinear weights with a float32 division that Vulkan lets round to
// 2.5 ulp, the contrast mean and the noise's logarithm and cosine in float32 where
// the CPU uses float64); the blur's Gaussian taps are the CPU's, computed
// once per view by the host (engine.AugmentGaussian) into a taps buffer.
// simclr/augment's device tests state the tolerance.
//
// The host's work per batch (the upload plan, the view table and taps, the
// packed bytes of each upload) goes into buffers that Ops keeps across
// batches, sized to the largest batch seen, so that steady batches
// allocate nothing; the packed-bytes buffer holds one upload, so it is at
// most UploadLimit bytes, and one larger than an eighth of that limit is
// given back to the garbage collector after a few batches in a row that
// needed under a quarter of it (Ops.trim), so that a run of large images
// leaves no 256 MiB on the heap for the rest of a run of small ones.
package augment
