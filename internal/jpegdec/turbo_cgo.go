//go:build cgo

package jpegdec

// libjpeg-turbo's TurboJPEG API loaded at run time with dlopen. Only ints
// and pointers cross: the constants below are TurboJPEG 2.x's (turbojpeg.h),
// stable since the API's first release apart from the newer flags, which
// older libraries ignore.

/*
#cgo LDFLAGS: -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TJPF_RGB = 0, TJPF_GRAY = 6 };
enum { TJCS_RGB = 0, TJCS_YCbCr = 1, TJCS_GRAY = 2 };
enum { TJERR_WARNING = 0 };
enum { TJFLAG_STOPONWARNING = 8192, TJFLAG_LIMITSCANS = 32768 };

typedef struct { int num, denom; } tj_factor;

typedef struct {
	void *(*init)(void);
	int (*header)(void *, const unsigned char *, unsigned long, int *, int *, int *, int *);
	tj_factor *(*factors)(int *);
	int (*decompress)(void *, const unsigned char *, unsigned long, unsigned char *, int, int, int, int, int);
	int (*destroy)(void *);
	char *(*errstr)(void *);
	int (*errcode)(void *);
} tj_lib;

static void tj_copy(char *dst, int n, const char *src) {
	if (!src) src = "unknown error";
	strncpy(dst, src, n - 1);
	dst[n - 1] = 0;
}

// tj_open opens path and resolves the TurboJPEG functions. On failure it
// returns NULL with the reason in why; on success where names the file.
static tj_lib *tj_open(const char *path, char *why, char *where, int n) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		tj_copy(why, n, dlerror());
		return NULL;
	}
	tj_lib *l = calloc(1, sizeof *l);
	if (!l) {
		tj_copy(why, n, "out of memory");
		dlclose(h);
		return NULL;
	}
	const char *missing = NULL;
#define SYM(f, name) if (!missing && !(*(void **)&l->f = dlsym(h, name))) missing = name
	SYM(init, "tjInitDecompress");
	SYM(header, "tjDecompressHeader3");
	SYM(factors, "tjGetScalingFactors");
	SYM(decompress, "tjDecompress2");
	SYM(destroy, "tjDestroy");
	SYM(errstr, "tjGetErrorStr2");
	SYM(errcode, "tjGetErrorCode");
#undef SYM
	if (missing) {
		snprintf(why, n, "%s has no %s (not TurboJPEG 2.0 or later)", path, missing);
		free(l);
		dlclose(h);
		return NULL;
	}
	Dl_info info;
	char real[PATH_MAX];
	if (dladdr(*(void **)&l->init, &info) && info.dli_fname)
		tj_copy(where, n, realpath(info.dli_fname, real) ? real : info.dli_fname);
	else
		tj_copy(where, n, path);
	return l;
}

// tj_reductions returns a mask with bit d set for each scale 1/d, d in
// {2, 4, 8}, that the library offers.
static int tj_reductions(tj_lib *l) {
	int n = 0, mask = 0;
	tj_factor *f = l->factors(&n);
	for (int i = 0; f && i < n; i++)
		if (f[i].num == 1 && (f[i].denom == 2 || f[i].denom == 4 || f[i].denom == 8))
			mask |= 1 << f[i].denom;
	return mask;
}

// tj_decode decodes src with a fresh handle (handles are not shared
// between threads). hdr receives width, height, subsampling and colour
// space. With want_w > 0 the image is decoded at want_w x want_h as pixel
// format pf; RGB is decoded into a temporary buffer and split into the
// three planes of dst. Returns 0, 1 when the library warned (message in
// msg), -1 on an error (message in msg).
static int tj_decode(tj_lib *l, const unsigned char *src, unsigned long n, int hdr[4],
		int want_w, int want_h, int pf, unsigned char *dst, char *msg, int msgn) {
	void *h = l->init();
	if (!h) {
		tj_copy(msg, msgn, l->errstr(NULL));
		return -1;
	}
	int rc = 0;
	if (l->header(h, src, n, &hdr[0], &hdr[1], &hdr[2], &hdr[3]) != 0) {
		tj_copy(msg, msgn, l->errstr(h));
		rc = 1; // a header the library does not take: Go decides
		goto done;
	}
	if (want_w <= 0)
		goto done;
	int flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
	size_t plane = (size_t)want_w * (size_t)want_h;
	unsigned char *out = dst, *tmp = NULL;
	if (pf == TJPF_RGB) {
		tmp = malloc(3 * plane);
		if (!tmp) {
			tj_copy(msg, msgn, "out of memory");
			rc = -1;
			goto done;
		}
		out = tmp;
	}
	if (l->decompress(h, src, n, out, want_w, 0, want_h, pf, flags) != 0) {
		tj_copy(msg, msgn, l->errstr(h));
		rc = l->errcode(h) == TJERR_WARNING ? 1 : -1;
	} else if (tmp) {
		unsigned char *r = dst, *g = dst + plane, *b = dst + 2 * plane;
		for (size_t i = 0; i < plane; i++) {
			r[i] = tmp[3 * i];
			g[i] = tmp[3 * i + 1];
			b[i] = tmp[3 * i + 2];
		}
	}
	free(tmp);
done:
	l->destroy(h);
	return rc;
}
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"
)

// candidates are the sonames tried for the system's library: Debian's
// libturbojpeg0, then an unversioned development link.
var candidates = []string{"libturbojpeg.so.0", "libturbojpeg.so"}

type library struct {
	c      *C.tj_lib
	desc   string
	denoms []int // the 1/d reductions offered, d ascending
}

type loaded struct {
	lib *library
	why string
}

var (
	libMu sync.Mutex
	libs  = map[string]loaded{} // by Options.Library ("" for the system's)
)

// loadLibrary opens path, or the first of candidates when path is "", once
// per process. It returns nil and the reason when none loads.
func loadLibrary(path string) (*library, string) {
	libMu.Lock()
	defer libMu.Unlock()
	if l, ok := libs[path]; ok {
		return l.lib, l.why
	}
	try := candidates
	if path != "" {
		try = []string{path}
	}
	var l loaded
	for _, p := range try {
		why, where := make([]byte, 512), make([]byte, 512)
		cp := C.CString(p)
		c := C.tj_open(cp, (*C.char)(unsafe.Pointer(&why[0])), (*C.char)(unsafe.Pointer(&where[0])), C.int(len(why)))
		C.free(unsafe.Pointer(cp))
		if c == nil {
			if l.why == "" {
				l.why = cString(why)
			}
			continue
		}
		lib := &library{c: c}
		mask := int(C.tj_reductions(c))
		for _, d := range []int{2, 4, 8} {
			if mask&(1<<d) != 0 {
				lib.denoms = append(lib.denoms, d)
			}
		}
		lib.desc = fmt.Sprintf("libjpeg-turbo (TurboJPEG API, %s; DCT reductions 1/%v)", cString(where), lib.denoms)
		l = loaded{lib: lib}
		break
	}
	if l.lib == nil {
		l.why += "; install libturbojpeg0 for libjpeg-turbo"
	}
	libs[path] = l
	return l.lib, l.why
}

// cString is the NUL-terminated string in b.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// decode decodes src with the library. It returns the image; or a zero
// Image and the library's message when Go should decide (a header or
// colour space it does not take, a warning); or an error.
func (l *library) decode(src []byte, r Request) (Image, string, error) {
	if len(src) == 0 {
		return Image{}, "", fmt.Errorf("empty file")
	}
	var hdr [4]C.int
	msg := make([]byte, 512)
	cmsg := (*C.char)(unsafe.Pointer(&msg[0]))
	csrc := (*C.uchar)(unsafe.Pointer(&src[0]))
	n := C.ulong(len(src))
	if rc := C.tj_decode(l.c, csrc, n, &hdr[0], 0, 0, 0, nil, cmsg, C.int(len(msg))); rc != 0 {
		return Image{}, cString(msg), nil // header not taken: Go decides
	}
	w, h, cs := int(hdr[0]), int(hdr[1]), int(hdr[3])
	if w != r.Width || h != r.Height || (cs != C.TJCS_RGB && cs != C.TJCS_YCbCr && cs != C.TJCS_GRAY) {
		return Image{}, "", nil // CMYK, YCCK, or a header read otherwise than Go's
	}
	d := reduction(w, h, r.MinSide, l.denoms)
	sw, sh := ceilDiv(w, d), ceilDiv(h, d)
	pf, c := C.int(C.TJPF_GRAY), 1
	if r.Channels == 3 && cs != C.TJCS_GRAY {
		pf, c = C.TJPF_RGB, 3
	}
	im := Image{C: r.Channels, H: sh, W: sw, Pix: make([]uint8, r.Channels*sh*sw)}
	rc := C.tj_decode(l.c, csrc, n, &hdr[0], C.int(sw), C.int(sh), pf, (*C.uchar)(unsafe.Pointer(&im.Pix[0])), cmsg, C.int(len(msg)))
	switch rc {
	case 1:
		return Image{}, cString(msg), nil
	case -1:
		return Image{}, "", fmt.Errorf("libjpeg-turbo: %s", cString(msg))
	}
	if c < r.Channels { // a gray JPEG asked for as RGB
		copy(im.Pix[sh*sw:], im.Pix[:sh*sw])
		copy(im.Pix[2*sh*sw:], im.Pix[:sh*sw])
	}
	return im, "", nil
}
