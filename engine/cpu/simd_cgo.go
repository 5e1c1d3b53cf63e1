//go:build cgo && amd64

package cpu

// AVX2 versions of the elementwise and batch-norm plane kernels, compiled
// by cgo (the Go compiler does not vectorise loops) and used when the CPU
// has AVX2 (simdOK): ReLU, Add, RoundFloat16 (bit-identical to
// engine.Float16Round) and single batch-norm planes from simdMinLen
// values (below that the cost of a cgo call outweighs the gain), the
// batch-norm block passes (bnTrainFast, bnBackwardFast) over a block's
// planes of one image per call whatever their length. The kernels are built for AVX2 without FMA, so every
// float32 product and sum is rounded as in the Go loops: ReLU, Add, the
// batch-norm apply and input-gradient passes give bit-identical results
// (except the sign of a zero from the fused ReLU); the float64 plane sums
// add in another order (8 lanes instead of 4 accumulators) and differ by
// rounding only. Each result still depends only on its plane, so the
// backend stays deterministic for a thread count.

/*
#cgo CFLAGS: -O2
#include <stddef.h>
#include <string.h>
#include <immintrin.h>

typedef struct { double a, b; } pair2;

static int simd_supported(void) {
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}

__attribute__((target("avx2")))
static void simd_add(float *d, const float *a, const float *b, size_t n) {
	size_t j = 0;
	for (; j + 8 <= n; j += 8)
		_mm256_storeu_ps(d + j, _mm256_add_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j)));
	for (; j < n; j++) d[j] = a[j] + b[j];
}

// gt0 is all ones in the lanes where v > 0 (false for NaN), like positiveMask.
__attribute__((target("avx2")))
static inline __m256 gt0(__m256 v) { return _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ); }

__attribute__((target("avx2")))
static void simd_relu(float *y, const float *x, size_t n) {
	size_t j = 0;
	for (; j + 8 <= n; j += 8) {
		__m256 v = _mm256_loadu_ps(x + j);
		_mm256_storeu_ps(y + j, _mm256_and_ps(v, gt0(v)));
	}
	for (; j < n; j++) y[j] = x[j] > 0 ? x[j] : 0;
}

// simd_add_relu: y = a + b where that sum > 0, else 0 (y may alias a or b).
__attribute__((target("avx2")))
static void simd_add_relu(float *y, const float *a, const float *b, size_t n) {
	size_t j = 0;
	for (; j + 8 <= n; j += 8) {
		__m256 v = _mm256_add_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j));
		_mm256_storeu_ps(y + j, _mm256_and_ps(v, gt0(v)));
	}
	for (; j < n; j++) {
		float v = a[j] + b[j];
		y[j] = v > 0 ? v : 0;
	}
}

__attribute__((target("avx2")))
static void simd_relu_back(float *dx, const float *dy, const float *y, size_t n) {
	size_t j = 0;
	for (; j + 8 <= n; j += 8)
		_mm256_storeu_ps(dx + j, _mm256_and_ps(_mm256_loadu_ps(dy + j), gt0(_mm256_loadu_ps(y + j))));
	for (; j < n; j++) dx[j] = y[j] > 0 ? dy[j] : 0;
}

// simd_bn_apply: y = scale*x + shift, then max(., 0) when relu (NaN kept).
__attribute__((target("avx2")))
static void simd_bn_apply(float *y, const float *x, size_t n, float scale, float shift, int relu) {
	__m256 s = _mm256_set1_ps(scale), t = _mm256_set1_ps(shift), z = _mm256_setzero_ps();
	size_t j = 0;
	for (; j + 8 <= n; j += 8) {
		__m256 v = _mm256_add_ps(_mm256_mul_ps(s, _mm256_loadu_ps(x + j)), t);
		if (relu) v = _mm256_max_ps(z, v); // second operand (v) when NaN
		_mm256_storeu_ps(y + j, v);
	}
	for (; j < n; j++) {
		float v = scale * x[j] + shift;
		y[j] = (relu && v < 0) ? 0 : v;
	}
}

// simd_bn_dx: d = a*g - b*(x-mean) - cc, g masked by y > 0 when y != NULL.
__attribute__((target("avx2")))
static void simd_bn_dx(float *d, const float *g, const float *x, const float *y, size_t n,
		float a, float b, float cc, float mean) {
	__m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b), vc = _mm256_set1_ps(cc), vm = _mm256_set1_ps(mean);
	size_t j = 0;
	for (; j + 8 <= n; j += 8) {
		__m256 gv = _mm256_loadu_ps(g + j);
		if (y) gv = _mm256_and_ps(gv, gt0(_mm256_loadu_ps(y + j)));
		__m256 xm = _mm256_sub_ps(_mm256_loadu_ps(x + j), vm);
		_mm256_storeu_ps(d + j, _mm256_sub_ps(_mm256_sub_ps(_mm256_mul_ps(va, gv), _mm256_mul_ps(vb, xm)), vc));
	}
	for (; j < n; j++) {
		float gj = (!y || y[j] > 0) ? g[j] : 0;
		d[j] = a * gj - b * (x[j] - mean) - cc;
	}
}

__attribute__((target("avx2")))
static double hsum(__m256d v) {
	double l[4];
	_mm256_storeu_pd(l, v);
	return (l[0] + l[1]) + (l[2] + l[3]);
}

// simd_pair_sums: {sum a, sum a*(x-xshift)} in double, a = g - gshift with
// g masked by y > 0 when y != NULL: the statistics pass with g = x and
// both shifts the plane's shift, the backward sums with g = dy, gshift 0
// and xshift the mean.
__attribute__((target("avx2")))
static pair2 simd_pair_sums(const float *g, double gshift, const float *y, const float *x, double xshift, size_t n) {
	__m256d gs = _mm256_set1_pd(gshift), xs = _mm256_set1_pd(xshift);
	__m256d s0 = _mm256_setzero_pd(), s1 = s0, q0 = s0, q1 = s0;
	size_t j = 0;
	for (; j + 8 <= n; j += 8) {
		__m256 gv = _mm256_loadu_ps(g + j);
		if (y) gv = _mm256_and_ps(gv, gt0(_mm256_loadu_ps(y + j)));
		__m256d a0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(gv)), gs);
		__m256d a1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(gv, 1)), gs);
		__m256d x0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + j)), xs);
		__m256d x1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + j + 4)), xs);
		s0 = _mm256_add_pd(s0, a0);
		s1 = _mm256_add_pd(s1, a1);
		q0 = _mm256_add_pd(q0, _mm256_mul_pd(a0, x0));
		q1 = _mm256_add_pd(q1, _mm256_mul_pd(a1, x1));
	}
	double s = hsum(_mm256_add_pd(s0, s1)), q = hsum(_mm256_add_pd(q0, q1));
	for (; j < n; j++) {
		double a = ((!y || y[j] > 0) ? (double)g[j] : 0) - gshift;
		s += a;
		q += a * ((double)x[j] - xshift);
	}
	pair2 r = {s, q};
	return r;
}

static pair2 simd_bn_stats(const float *x, size_t n, double shift) {
	return simd_pair_sums(x, shift, NULL, x, shift, n);
}

static pair2 simd_bn_back_sums(const float *dy, const float *x, const float *y, size_t n, double mean) {
	return simd_pair_sums(dy, 0, y, x, mean, n);
}

// The _planes kernels run one of the above over np consecutive planes of
// hw values (one image's channels lo..hi of a batch-norm block) in one cgo
// call, for planes too short to pay for a call each; per-plane sums are
// added to sum/sq (sg/sgd), plane by plane.
__attribute__((target("avx2")))
static void simd_bn_stats_planes(const float *x, size_t np, size_t hw, const double *shift, double *sum, double *sq) {
	for (size_t i = 0; i < np; i++) {
		pair2 r = simd_bn_stats(x + i * hw, hw, shift[i]);
		sum[i] += r.a;
		sq[i] += r.b;
	}
}

__attribute__((target("avx2")))
static void simd_bn_apply_planes(float *y, const float *x, size_t np, size_t hw, const float *scale, const float *shift, int relu) {
	for (size_t i = 0; i < np; i++) simd_bn_apply(y + i * hw, x + i * hw, hw, scale[i], shift[i], relu);
}

__attribute__((target("avx2")))
static void simd_bn_back_sums_planes(const float *dy, const float *x, const float *y, size_t np, size_t hw,
		const float *mean, double *sg, double *sgd) {
	for (size_t i = 0; i < np; i++) {
		pair2 r = simd_bn_back_sums(dy + i * hw, x + i * hw, y ? y + i * hw : NULL, hw, (double)mean[i]);
		sg[i] += r.a;
		sgd[i] += r.b;
	}
}

__attribute__((target("avx2")))
static void simd_bn_dx_planes(float *d, const float *g, const float *x, const float *y, size_t np, size_t hw,
		const float *a, const float *b, const float *cc, const float *mean) {
	for (size_t i = 0; i < np; i++)
		simd_bn_dx(d + i * hw, g + i * hw, x + i * hw, y ? y + i * hw : NULL, hw, a[i], b[i], cc[i], mean[i]);
}

// round_f16_8 is engine.Float16Round on 8 lanes, with no branch: the
// normal binary16 range (2^-14 <= |x| < 65520) on the bits (add 0xfff plus
// the lowest kept bit, clear the low 13: ties to even, a carry into the
// exponent is right); below it |x| + 0.5f - 0.5f, which rounds |x| to a
// multiple of 2^-24 (the ulp of 0.5), ties to even as float16 subnormals
// do, below 2^-25 to 0, float32 subnormals and zeros to 0; 65520 and up
// (Inf) to Inf; NaN to the quiet NaN; each with x's sign.
__attribute__((target("avx2")))
static inline __m256i round_f16_8(__m256i b) {
	const __m256i absm = _mm256_set1_epi32(0x7fffffff);
	__m256i a = _mm256_and_si256(b, absm), sign = _mm256_andnot_si256(absm, b);
	__m256i r = _mm256_and_si256(_mm256_add_epi32(b, _mm256_add_epi32(_mm256_set1_epi32(0xfff),
		_mm256_and_si256(_mm256_srli_epi32(b, 13), _mm256_set1_epi32(1)))), _mm256_set1_epi32(~0x1fff));
	const __m256 half = _mm256_set1_ps(0.5f);
	__m256i sub = _mm256_or_si256(sign, _mm256_castps_si256(
		_mm256_sub_ps(_mm256_add_ps(_mm256_castsi256_ps(a), half), half)));
	// a is non-negative as an int32, so signed compares order it.
	r = _mm256_blendv_epi8(r, sub, _mm256_cmpgt_epi32(_mm256_set1_epi32(0x38800000), a));
	r = _mm256_blendv_epi8(r, _mm256_or_si256(sign, _mm256_set1_epi32(0x7f800000)),
		_mm256_cmpgt_epi32(a, _mm256_set1_epi32(0x477fefff)));
	return _mm256_blendv_epi8(r, _mm256_or_si256(sign, _mm256_set1_epi32(0x7fc00000)),
		_mm256_cmpgt_epi32(a, _mm256_set1_epi32(0x7f800000)));
}

// simd_round_f16 is RoundFloat16 in place, 8 lanes at a time; the tail
// goes through the same lanes in a zero-padded buffer.
__attribute__((target("avx2")))
static void simd_round_f16(float *x, size_t n) {
	size_t j = 0;
	for (; j + 8 <= n; j += 8)
		_mm256_storeu_si256((__m256i *)(x + j), round_f16_8(_mm256_loadu_si256((const __m256i *)(x + j))));
	if (j < n) {
		float t[8] = {0};
		memcpy(t, x + j, (n - j) * sizeof(float));
		_mm256_storeu_si256((__m256i *)t, round_f16_8(_mm256_loadu_si256((const __m256i *)t)));
		memcpy(x + j, t, (n - j) * sizeof(float));
	}
}

*/
import "C"

import "unsafe"

// simdOK reports AVX2: the kernels below may be used.
var simdOK = C.simd_supported() != 0

func fp(s []float32) *C.float { return (*C.float)(unsafe.Pointer(unsafe.SliceData(s))) }

// fpOrNil is fp, or NULL for a nil slice (no ReLU mask).
func fpOrNil(s []float32) *C.float {
	if s == nil {
		return nil
	}
	return fp(s)
}

func simdAdd(d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	C.simd_add(fp(d), fp(a), fp(b), C.size_t(len(d)))
}

func simdReLU(y, x []float32) {
	x = x[:len(y)]
	C.simd_relu(fp(y), fp(x), C.size_t(len(y)))
}

func simdAddReLU(y, a, b []float32) {
	a, b = a[:len(y)], b[:len(y)]
	C.simd_add_relu(fp(y), fp(a), fp(b), C.size_t(len(y)))
}

func simdReLUBack(dx, dy, y []float32) {
	dy, y = dy[:len(dx)], y[:len(dx)]
	C.simd_relu_back(fp(dx), fp(dy), fp(y), C.size_t(len(dx)))
}

func simdBNApply(y, x []float32, scale, shift float32, relu bool) {
	x = x[:len(y)]
	r := C.int(0)
	if relu {
		r = 1
	}
	C.simd_bn_apply(fp(y), fp(x), C.size_t(len(y)), C.float(scale), C.float(shift), r)
}

func simdBNDx(d, g, x, y []float32, a, b, cc, mean float32) {
	g, x = g[:len(d)], x[:len(d)]
	if y != nil {
		y = y[:len(d)]
	}
	C.simd_bn_dx(fp(d), fp(g), fp(x), fpOrNil(y), C.size_t(len(d)), C.float(a), C.float(b), C.float(cc), C.float(mean))
}

// simdRoundFloat16 is roundFloat16Go (RoundFloat16) on x in one call.
func simdRoundFloat16(x []float32) { C.simd_round_f16(fp(x), C.size_t(len(x))) }

func simdBNStats(x []float32, shift float64) (s, q float64) {
	r := C.simd_bn_stats(fp(x), C.size_t(len(x)), C.double(shift))
	return float64(r.a), float64(r.b)
}

func simdBNBackSums(dy, x, y []float32, mean float64) (sg, sgd float64) {
	x = x[:len(dy)]
	if y != nil {
		y = y[:len(dy)]
	}
	r := C.simd_bn_back_sums(fp(dy), fp(x), fpOrNil(y), C.size_t(len(dy)), C.double(mean))
	return float64(r.a), float64(r.b)
}

func dp(s []float64) *C.double { return (*C.double)(unsafe.Pointer(unsafe.SliceData(s))) }

// simdBNStatsPlanes adds bnPlaneStats of the len(shift) planes of hw
// values at the start of x to sum and sq.
func simdBNStatsPlanes(x []float32, hw int, shift, sum, sq []float64) {
	np := len(shift)
	x, sum, sq = x[:np*hw], sum[:np], sq[:np]
	C.simd_bn_stats_planes(fp(x), C.size_t(np), C.size_t(hw), dp(shift), dp(sum), dp(sq))
}

// simdBNApplyPlanes is bnApplyPlane on the len(scale) planes of hw values
// at the start of y and x.
func simdBNApplyPlanes(y, x []float32, hw int, scale, shift []float32, relu bool) {
	np := len(scale)
	y, x, shift = y[:np*hw], x[:np*hw], shift[:np]
	r := C.int(0)
	if relu {
		r = 1
	}
	C.simd_bn_apply_planes(fp(y), fp(x), C.size_t(np), C.size_t(hw), fp(scale), fp(shift), r)
}

// simdBNBackSumsPlanes adds bnBackPlaneSums of the len(mean) planes of hw
// values at the start of dy, x (and y unless nil) to sg and sgd.
func simdBNBackSumsPlanes(dy, x, y []float32, hw int, mean []float32, sg, sgd []float64) {
	np := len(mean)
	dy, x, sg, sgd = dy[:np*hw], x[:np*hw], sg[:np], sgd[:np]
	if y != nil {
		y = y[:np*hw]
	}
	C.simd_bn_back_sums_planes(fp(dy), fp(x), fpOrNil(y), C.size_t(np), C.size_t(hw), fp(mean), dp(sg), dp(sgd))
}

// simdBNDxPlanes is bnDxPlane on the len(a) planes of hw values at the
// start of d, g, x (and y unless nil).
func simdBNDxPlanes(d, g, x, y []float32, hw int, a, b, cc, mean []float32) {
	np := len(a)
	d, g, x, b, cc, mean = d[:np*hw], g[:np*hw], x[:np*hw], b[:np], cc[:np], mean[:np]
	if y != nil {
		y = y[:np*hw]
	}
	C.simd_bn_dx_planes(fp(d), fp(g), fp(x), fpOrNil(y), C.size_t(np), C.size_t(hw), fp(a), fp(b), fp(cc), fp(mean))
}
