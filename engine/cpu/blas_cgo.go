//go:build cgo

package cpu

// OpenBLAS loaded at run time with dlopen, so that the binary starts (and
// falls back to the pure-Go GEMM) on machines without it.

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

typedef void (*sgemm_fn)(int order, int transa, int transb, int m, int n, int k,
	float alpha, const float *a, int lda, const float *b, int ldb,
	float beta, float *c, int ldc);
typedef char *(*config_fn)(void);
typedef int (*parallel_fn)(void);
typedef void (*set_threads_fn)(int);

static sgemm_fn p_sgemm;

// blas_prepare_env sets, unless the user did, before the library
// initialises:
//   - OPENBLAS_THREAD_TIMEOUT=4: pool threads sleep right after a threaded
//     call instead of spinning for ~2^28 cycles, which would steal a core
//     from the goroutines of the next op;
//   - OPENBLAS_CORETYPE from the CPU's features: OpenBLAS 0.3.21's
//     DYNAMIC_ARCH falls back to its SSE3 "Prescott" kernels on CPU models
//     it does not know (virtualised Xeons report a generic model), which is
//     6x slower.
static void blas_prepare_env(void) {
	setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0);
#if defined(__x86_64__) && defined(__GNUC__)
	if (getenv("OPENBLAS_CORETYPE")) return;
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
		setenv("OPENBLAS_CORETYPE", "SKYLAKEX", 0);
	else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		setenv("OPENBLAS_CORETYPE", "HASWELL", 0);
#endif
}
static set_threads_fn p_set_threads;

// blas_try opens path and returns its handle if it is an OpenBLAS with
// cblas_sgemm; *config and *parallel describe it. NULL otherwise.
static void *blas_try(const char *path, const char **config, int *parallel) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) return NULL;
	config_fn cfg = (config_fn)dlsym(h, "openblas_get_config");
	parallel_fn par = (parallel_fn)dlsym(h, "openblas_get_parallel");
	if (!cfg || !par || !dlsym(h, "cblas_sgemm")) {
		dlclose(h);
		return NULL;
	}
	*config = cfg();
	*parallel = par();
	return h;
}

static void blas_use(void *h) {
	p_sgemm = (sgemm_fn)dlsym(h, "cblas_sgemm");
	p_set_threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
}

static void blas_close(void *h) { dlclose(h); }

static void blas_set_threads(int n) { if (p_set_threads) p_set_threads(n); }

static void blas_sgemm(int transa, int transb, int m, int n, int k, float alpha,
	const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
	// 101 CblasRowMajor, 111 CblasNoTrans, 112 CblasTrans
	p_sgemm(101, transa ? 112 : 111, transb ? 112 : 111, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"
)

// blasCandidates are tried in order. The pthread build is preferred: an
// OpenMP build would fight the Go scheduler and netlib's libblas (no
// openblas_get_config) is rejected as about 40x slower.
var blasCandidates = []string{
	"libopenblas.so.0",
	"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"libopenblas.so",
}

var (
	blasOnce sync.Once
	blasOK   bool
	blasDesc = "none (pure-Go GEMM)"
)

func loadBLAS() {
	blasOnce.Do(func() {
		C.blas_prepare_env()
		var fallback unsafe.Pointer
		var fallbackDesc string
		for _, path := range blasCandidates {
			cpath := C.CString(path)
			var cfg *C.char
			var par C.int
			h := C.blas_try(cpath, &cfg, &par)
			C.free(unsafe.Pointer(cpath))
			if h == nil {
				continue
			}
			kind := map[C.int]string{0: "sequential", 1: "pthread", 2: "openmp"}[par]
			desc := fmt.Sprintf("%s (%s, %s)", C.GoString(cfg), kind, path)
			if par == 1 {
				if fallback != nil {
					C.blas_close(fallback)
				}
				fallback, fallbackDesc = h, desc
				break
			}
			if fallback == nil {
				fallback, fallbackDesc = h, desc
			} else {
				C.blas_close(h)
			}
		}
		if fallback != nil {
			C.blas_use(fallback)
			C.blas_set_threads(1)
			blasOK, blasDesc = true, fallbackDesc
		}
	})
}

// BLASName describes the BLAS that GEMM uses when Options.NoBLAS is false:
// the OpenBLAS configuration, threading and library path, or
// "none (pure-Go GEMM)" when no OpenBLAS could be loaded.
func BLASName() string {
	loadBLAS()
	return blasDesc
}

// haveBLAS reports whether OpenBLAS is loaded.
func haveBLAS() bool {
	loadBLAS()
	return blasOK
}

// blasSetThreads sets OpenBLAS's own thread count (process-wide). The
// backend keeps it at 1 outside blasPooled; BenchmarkGemm uses it for the
// OpenBLAS-threaded baseline.
func blasSetThreads(n int) {
	if haveBLAS() {
		C.blas_set_threads(C.int(n))
	}
}

var blasPoolMu sync.Mutex

// blasPooled runs one cblas_sgemm on OpenBLAS's own pool of threads
// threads, then sets the pool back to one thread. Calls are serialised: the
// thread count is process-wide.
func blasPooled(threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	blasPoolMu.Lock()
	defer blasPoolMu.Unlock()
	C.blas_set_threads(C.int(threads))
	blasSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	C.blas_set_threads(1)
}

// blasSgemm calls cblas_sgemm (row major) on the calling thread: OpenBLAS
// is set to one thread when loaded and callers parallelise over blocks.
func blasSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := C.int(0), C.int(0)
	if transA {
		ta = 1
	}
	if transB {
		tb = 1
	}
	C.blas_sgemm(ta, tb, C.int(m), C.int(n), C.int(k), C.float(alpha),
		(*C.float)(unsafe.Pointer(&a[0])), C.int(lda),
		(*C.float)(unsafe.Pointer(&b[0])), C.int(ldb), C.float(beta),
		(*C.float)(unsafe.Pointer(&c[0])), C.int(ldc))
}
