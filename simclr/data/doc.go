// Package data reads image datasets for SimCLR pre-training and evaluation.
//
// Every reader implements Dataset. Images are returned as Image: uint8 pixels
// in CHW order (channel planes, each row-major), C = 1 (grayscale) or 3 (RGB).
// All images of a Dataset have the channel count of Shape(). Their size is
// Shape()'s too, except for datasets implementing Sized whose SizesVary
// says true (VariesInSize): a .svk file of a mixed-size folder, or a folder
// opened with Options.NativeSize. Each of their images comes at its own
// size (ImageSize(i) tells it without decoding) and Shape()'s h = w is a
// nominal size, the smallest shorter side. Consumers needing one size crop
// (the training views) or resize (EvalTransform: torchvision Resize then
// CenterCrop, the reference's eval transform, computing only the kept
// square) each image; a folder opened with Options.ImageSize applies the
// same EvalTransform to each decoded image, so eval of a folder sees the
// pixels the kNN monitor does from the folder at native sizes (up to a
// DCT-reduced JPEG decode). Subset and Concat pass the sizes on. Labels are 0-based class indices; unlabeled
// data returns -1 and NumClasses() == 0; Classer gives class names.
//
// Open(spec, opts) takes a path or a known name ("fashion-mnist", the default
// dataset, from Debian's dataset-fashion-mnist package; "mnist" when a similar
// Debian path exists) and detects the format from the files present, unless
// Options.Format overrides it:
//
//	cifar10   cifar-10-batches-bin: data_batch_1..5.bin, test_batch.bin
//	          (records of 1 label byte + 3072 CHW pixel bytes)
//	cifar100  cifar-100-binary: train.bin, test.bin (coarse byte, fine byte,
//	          3072 pixel bytes; the fine label is used, 100 classes)
//	stl10     stl10_binary: train_X.bin/train_y.bin, test_X.bin/test_y.bin,
//	          unlabeled_X.bin (96x96x3, column-major per channel; labels
//	          1..10 become 0..9). Options.Split "unlabeled" or
//	          "train+unlabeled" selects the 100k unlabeled images.
//	idx       MNIST-style IDX files, plain or .gz: train-images-idx3-ubyte,
//	          train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
//	          t10k-labels-idx1-ubyte (held in memory)
//	npy       uint8 .npy arrays (N,H,W) or (N,H,W,C), C-order, with optional
//	          int64/int32/uint8 label arrays (see OpenNpy for file names)
//	folder    a folder of JPEG/PNG images; class sub-folders give labels
//	          (sorted by name), a flat folder is unlabeled; "train" and
//	          "test" (or "val") sub-folders give the two splits
//	svk       a .svk file (by extension or magic) written by WriteSVK
//	          (simclr-vk prepare): both splits of any dataset in one file
//	          of uint8 pixels, each image at its stored size (shorter side
//	          at most SVKOptions.MaxSide, never upscaled), with labels and
//	          class names; read through a memory map (Linux; ReadAt
//	          elsewhere), the FFCV .beton idea. The layout is in svk.go
//
// WriteSVK decodes with a bounded number of goroutines, writes in order and
// goes through internal/atomicfile: an interrupted or failed prepare leaves
// no file under the final name. OpenSVK checks every size against the file
// size before allocating, the header and index against their CRC-32C and
// each image's pixels against theirs when read; a mapped page that faults
// (the file truncated while open) is an error, not a crash.
//
// Large datasets are read lazily: binary formats with ReadAt per image, image
// folders decoded per access, .svk files copied from their memory map.
// Every Dataset is safe for concurrent use by several goroutines (the
// augmentation Loader reads from many workers).
//
// Bad data never panics and is never skipped silently: errors name the file
// and what is wrong (truncated record, wrong magic, an image that does not
// decode, mixed sizes without Options.ImageSize, label count mismatch). Only
// for image folders, Options.SkipBad leaves out files that do not decode and
// reports them in Folder.Skipped.
//
// Sizes read from a file are checked before anything is allocated: products
// of dimensions for overflow, and the data they promise against the file's
// size (exactly for CIFAR, STL-10, plain IDX and .npy; for .gz IDX files at
// most deflate's 1032:1 ratio, and the stream is read through exactly the
// promised size, refusing surplus, shortfall and a bad CRC). Images above
// MaxImagePixels (89,478,485, Pillow's decompression-bomb limit) or with a
// zero dimension are refused, image files from their header (DecodeConfig)
// before decoding, as are headers declaring more than 8 x 1032 pixels per
// byte of file (more than PNG or JPEG can compress). Labels must lie in
// [0, MaxClasses) (65536) and class folders number at most MaxClasses. Only
// regular files are read (internal/regfile): a FIFO, a device or a
// directory given as data is an error, not a hang or an endless read; a
// symlink loop in an image folder is an error for that file (directory
// symlinks are not followed by the class scan).
//
// JPEG files of image folders are decoded by internal/jpegdec:
// libjpeg-turbo loaded at run time where installed (at a 1/2, 1/4 or 1/8
// DCT reduction when Options.ImageSize, or Options.NativeMinSide for
// native sizes (prepare --max-side), leaves the shorter side at least
// that), else Go's image/jpeg; which one is said once on stderr, and
// Options.JPEG forces Go's for tests. The header checks above run first,
// on Go's DecodeConfig, whichever decoder follows.
//
// Subset(ds, n, seed) keeps the first n images of a fixed seeded permutation
// (the --subset flag).
package data
