// Package augment implements the SimCLR data augmentation pipeline (Chen et
// al. 2020, appendix A; /work/shared/notes/simclr-spec.md "Augmentation")
// and the parallel, prefetching batch Loader the training loop reads.
//
// Each view of an image goes through, in this order and independently of
// the other view:
//
//  1. random resized crop: area fraction U[MinScale, MaxScale], aspect ratio
//     log-uniform in [MinRatio, MaxRatio], CropAttempts tries, then the
//     torchvision centre-crop fallback; bilinear resize (half-pixel
//     centres, no anti-aliasing) to Size x Size;
//  2. horizontal flip with probability FlipP;
//  3. colour jitter with probability JitterP and strength s: brightness
//     factor U[max(0, 1-0.8s), 1+0.8s], contrast U[max(0, 1-0.8s), 1+0.8s]
//     around the mean luma, saturation U[max(0, 1-0.8s), 1+0.8s], hue shift
//     U[-0.2s, 0.2s] of the colour circle (via HSV), in a random order,
//     clipping to [0, 1] after each;
//  4. grayscale with probability GrayP (luma 0.299 R + 0.587 G + 0.114 B,
//     tiled to the 3 channels);
//  5. Gaussian blur with probability BlurP, sigma U[SigmaMin, SigmaMax],
//     kernel size 10% of Size rounded down and made odd (at least 3),
//     separable, reflect padding; Blur BlurAuto turns it on only above
//     32 px (the paper drops it for CIFAR);
//  6. solarisation with probability SolarizeP (0 by default; BYOL uses
//     it): values at or above 0.5 become 1 - x;
//  7. additive Gaussian noise of standard deviation NoiseStd (0, off, by
//     default), clipped to [0, 1]; its values are a counter-based hash of
//     (view seed, channel, pixel) (NoiseValue), so a device reproduces
//     them without a sequential random stream.
//
// Steps 6 and 7 draw from the view's stream only when they are on, after
// every other draw, so the views of earlier configurations are unchanged.
//
// 1-channel images stay 1-channel: saturation, hue and grayscale do nothing,
// brightness and contrast apply (contrast around the image mean).
//
// Output is float32 CHW in [0, 1]; the reference implementation does not
// normalise, so Config.Mean/Std are nil by default (set them to normalise
// after augmentation, as PyTorch ports do).
//
// Sample draws a view's random parameters (Params, exported so tests and
// tools can inspect them) and Apply renders them; View does both. Every
// view's random stream comes from ViewRNG(seed, epoch, image index, view
// index), so results do not depend on goroutine scheduling or worker count.
//
// With LoaderConfig.DeviceViews the Loader renders nothing: each Batch
// carries the images and the sampled Params, and a backend with
// engine.ViewAugmenter renders the views on the device (DeviceImage,
// DeviceView convert them; the Vulkan backend's result equals Apply's
// within float32 rounding, device_test.go).
//
// Loader produces training batches: for a batch of N images, one float32
// slice of shape (2N, C, Size, Size) whose rows i and i+N are the two views
// of image i (or (N, C, Size, Size), one view each, with
// LoaderConfig.Views 1), with the dataset indices and labels. Workers goroutines
// augment images in parallel and up to Prefetch batches are prepared ahead;
// Loader.WaitTime and Batch.Wait measure how long the consumer blocked.
// With LoaderConfig.Shards a loader is one rank's part of a data-parallel
// epoch: images Shard*n .. Shard*n+n-1 of each global batch, augmented as
// the unsharded loader would (CheckShards says which batch sizes split).
// NewEvalLoader gives un-augmented batches in order for feature extraction
// and evaluation: EvalView, the reference's eval transform (torchvision
// Resize then CenterCrop, data.EvalTransform).
//
// Images may differ in size (data.VariesInSize: a prepared .svk file): the
// training views crop each image at its own size (Sample takes its H and
// W) and the evaluation view resizes each; every batch has the fixed shape
// (C, Size, Size).
package augment
