// Command augbench measures simclr-vk's CPU data path: it writes a folder
// of test JPEGs, then times augment.Loader over a folder of images the way
// training reads it, for comparison with torchvision (tools/torch_data.py)
// on the same files and worker count.
//
//	go run ./tools/augbench -write /tmp/augjpeg -n 200
//	go run ./tools/augbench -data /tmp/augjpeg -workers 2 [-image-size 224] [-memory] [-json]
//
// -write makes n 500x375 JPEGs (quality 90) in four class subfolders
// (c0..c3, an ImageFolder layout): smooth gradients, discs and bars of
// random colours, and mild noise, like photographs in frequency content.
//
// -data reads the folder with data.Open (-image-size 0: full-size images,
// the views cropped from them as torchvision does; 224: every image
// decoded, resized and centre-cropped to 224 first) and runs -epochs
// epochs of two-view batches of -batch-size images at view size -size; the
// first epoch is warm-up, the others are timed. -memory decodes every
// image once before timing and serves them from memory, which is what a
// prepared file of decoded images gives: augmentation alone.
package main
