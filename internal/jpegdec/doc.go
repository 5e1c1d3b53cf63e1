// Package jpegdec decodes JPEG files into the project's CHW uint8 layout
// (channel planes, each row-major), with libjpeg-turbo where it is
// installed and Go's image/jpeg elsewhere.
//
// libjpeg-turbo is opened at run time with dlopen (as engine/cpu opens
// OpenBLAS), so the binary starts and decodes on machines without it. Of
// its two Debian packages the TurboJPEG API (libturbojpeg0,
// libturbojpeg.so.0) is used, not the libjpeg API (libjpeg62-turbo,
// libjpeg.so.62):
//   - its functions take and return only ints and pointers, so it is
//     called without build-time headers; the libjpeg API needs the layout
//     of jpeg_decompress_struct, which changes between libjpeg versions;
//   - it reports every error as a return value. libjpeg's default
//     error_exit calls exit(), and the usual replacement longjmps out of
//     the library; TurboJPEG does its setjmp and longjmp inside its own C
//     functions, so nothing ever exits the process or jumps through Go
//     frames;
//   - it reads the whole file from memory and can decode straight to
//     reduced sizes (DCT scaling) and to gray or RGB.
//
// Decoder.Decode takes the file's bytes and the size its header declares
// (the caller checks the header against its limits first, so nothing is
// allocated from an unchecked number: Decode refuses a stream whose own
// header disagrees). With Request.MinSide > 0 the library decodes at the
// largest DCT reduction of 1/2, 1/4 and 1/8 that keeps the shorter side at
// least MinSide (a 500x375 image decodes at 1/8, 63x47, for MinSide 32 and
// at full size for 224); the Go decoder always decodes at full size, and
// the caller resizes either result. Throughput of both decoders:
// docs/performance.md, P12.
//
// Paths, in order:
//   - libjpeg-turbo for YCbCr, RGB and gray JPEGs (gray stays 1 channel,
//     or is replicated when 3 are asked for; colour becomes gray by its
//     luma when 1 is asked for);
//   - Go's decoder for CMYK and YCCK JPEGs (TurboJPEG 2.x cannot convert
//     them to RGB), for headers the library does not accept (unusual
//     subsampling), and for files on which the library warns (truncated
//     data, stray bytes): Go's verdict stands, and when Go fails too the
//     error carries the library's message;
//   - Go's decoder for every file when the library is missing, the build
//     has no cgo, or Options.ForceGo is set.
//
// Progressive JPEGs are decoded with TJFLAG_LIMITSCANS (at most 500
// scans), against files crafted to take a scan per coefficient bit. The
// flag came with libjpeg-turbo 2.1 (Debian 12 has 2.1.5); a 2.0 library
// ignores it, so there the limit is absent: the pixel limit checked from
// the header still bounds the memory, not the time of such a file.
// libjpeg-turbo's chroma upsampling is its default "fancy" (triangular)
// filter, as in Pillow; Go replicates chroma samples, so the two decoders
// differ by a few levels at colour edges of subsampled JPEGs (the tests
// bound it).
//
// New(opts).Name() says which decoder is in use and why; the image-folder
// reader prints it once on stderr. Options.ForceGo and Options.Library are
// the typed test hooks (a wrong Library path simulates a missing library).
package jpegdec
