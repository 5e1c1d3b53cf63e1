// Command augbench measures simclr-vk's CPU data path: it times
// augment.Loader over a folder of images the way training reads it, for
// comparison with torchvision (tools/torch_data.py) on the same files and
// worker count. Make the folder with tools/mkjpegs:
//
//	go run ./tools/mkjpegs -out /tmp/augjpeg
//	go run ./tools/augbench -data /tmp/augjpeg -workers 2 [-image-size 224] [-memory] [-json]
//
// -data reads the folder with data.Open (-image-size 0: full-size images,
// the views cropped from them as torchvision does; 224: every image
// decoded, resized and centre-cropped to 224 first) and runs -epochs
// epochs of two-view batches of -batch-size images at view size -size; the
// first epoch is warm-up, the others are timed. -memory decodes every
// image once before timing and serves them from memory, which is what a
// prepared file of decoded images gives: augmentation alone.
package main
