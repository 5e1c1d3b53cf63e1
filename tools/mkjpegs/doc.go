// Command mkjpegs writes a synthetic image folder of JPEGs for the data
// pipeline benchmark (README "Preparing a dataset"): train/ and test/
// splits of class sub-folders, images of 500x375 and, one in five,
// 375x500 (the typical ImageNet photo sizes), with smooth gradients,
// shapes and a little noise so that they compress like photos.
//
//	go run ./tools/mkjpegs --out /tmp/jpegs --train 160 --test 40
package main
