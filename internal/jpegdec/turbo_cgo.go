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

// tj_decode decodes src with one fresh handle (handles are not shared
// between threads) and one header parse: the header must declare want_w x
// want_h and an RGB, YCbCr or gray colour space, else nothing is decoded
// and it returns 2 (CMYK, YCCK, or a header read otherwise than Go's).
// The image is decoded at out_w x out_h (a DCT reduction of the header's
// size, chosen by the caller from the library's reductions and MinSide)
// into dst, channels planes: gray for a gray JPEG or channels 1 (*got_c =
// 1), else RGB through a temporary buffer split into three planes (*got_c
// = 3). Returns 0, 1 when the library did not take the header or warned
// (message in msg), -1 on an error (message in msg).
static int tj_decode(tj_lib *l, const unsigned char *src, unsigned long n, int want_w, int want_h,
		int out_w, int out_h, int channels, unsigned char *dst, int *got_c, char *msg, int msgn) {
	void *h = l->init();
	if (!h) {
		tj_copy(msg, msgn, l->errstr(NULL));
		return -1;
	}
	int rc = 0, w, ht, sub, cs;
	unsigned char *tmp = NULL;
	if (l->header(h, src, n, &w, &ht, &sub, &cs) != 0) {
		tj_copy(msg, msgn, l->errstr(h));
		rc = 1; // a header the library does not take: Go decides
		goto done;
	}
	if (w != want_w || ht != want_h || (cs != TJCS_RGB && cs != TJCS_YCbCr && cs != TJCS_GRAY)) {
		rc = 2;
		goto done;
	}
	int flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
	int pf = (channels == 3 && cs != TJCS_GRAY) ? TJPF_RGB : TJPF_GRAY;
	*got_c = pf == TJPF_RGB ? 3 : 1;
	size_t plane = (size_t)out_w * (size_t)out_h;
	unsigned char *out = dst;
	if (pf == TJPF_RGB) {
		tmp = malloc(3 * plane);
		if (!tmp) {
			tj_copy(msg, msgn, "out of memory");
			rc = -1;
			goto done;
		}
		out = tmp;
	}
	if (l->decompress(h, src, n, out, out_w, 0, out_h, pf, flags) != 0) {
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
done:
	free(tmp);
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

// decode decodes src with the library in one call (one handle, one
// header parse). It returns the image; or a zero Image and the library's
// message when Go should decide (a header it does not take, a warning); a
// zero Image and no message for a header or colour space it declines; or
// an error. The scale is picked before the call from the request, which
// the header must match, so that the Go buffer is sized up front.
func (l *library) decode(src []byte, r Request) (Image, string, error) {
	if len(src) == 0 {
		return Image{}, "", fmt.Errorf("empty file")
	}
	d := reduction(r.Width, r.Height, r.MinSide, l.denoms)
	sw, sh := ceilDiv(r.Width, d), ceilDiv(r.Height, d)
	im := Image{C: r.Channels, H: sh, W: sw, Pix: make([]uint8, r.Channels*sh*sw)}
	var msg [512]byte
	var got C.int
	rc := C.tj_decode(l.c, (*C.uchar)(unsafe.Pointer(&src[0])), C.ulong(len(src)), C.int(r.Width), C.int(r.Height),
		C.int(sw), C.int(sh), C.int(r.Channels), (*C.uchar)(unsafe.Pointer(&im.Pix[0])), &got,
		(*C.char)(unsafe.Pointer(&msg[0])), C.int(len(msg)))
	switch rc {
	case 1:
		return Image{}, cString(msg[:]), nil
	case 2:
		return Image{}, "", nil // CMYK, YCCK, or a header read otherwise than Go's
	case -1:
		return Image{}, "", fmt.Errorf("libjpeg-turbo: %s", cString(msg[:]))
	}
	if int(got) < r.Channels { // a gray JPEG asked for as RGB
		copy(im.Pix[sh*sw:], im.Pix[:sh*sw])
		copy(im.Pix[2*sh*sw:], im.Pix[:sh*sw])
	}
	return im, "", nil
}
