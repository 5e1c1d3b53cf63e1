//go:build cgo && amd64

package cpu

// AVX2 versions of the blocked batch-norm unit kernels (batchnorm_blocked.go):
// one position of a unit is 16 channels, two float32 registers (four
// float64 ones for the sums). Built without FMA like simd_cgo.go, so the
// apply and input-gradient passes round as the Go loops do.

/*
#cgo CFLAGS: -O2
#include <stddef.h>
#include <immintrin.h>

// cvt4 widens the 16 floats at p minus the 16 doubles at sh into d[4].
__attribute__((target("avx2")))
static inline void cvt4(__m256d d[4], __m256 lo, __m256 hi, const double *sh) {
	d[0] = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(lo)), _mm256_loadu_pd(sh));
	d[1] = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(lo, 1)), _mm256_loadu_pd(sh + 4));
	d[2] = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(hi)), _mm256_loadu_pd(sh + 8));
	d[3] = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(hi, 1)), _mm256_loadu_pd(sh + 12));
}

__attribute__((target("avx2")))
static inline __m256 gt0b(__m256 v) { return _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ); }

// bnb_sums: per unit u in [lo, hi), the 16 sums of a = g - gshift (g
// masked by y > 0 when y) and the 16 sums of a*(x - xshift) into part[u*32...];
// gshift and xshift are per channel (16 doubles at the unit's channel), or
// gshift NULL for 0.
__attribute__((target("avx2")))
static void bnb_sums(const float *g, const double *gshift, const float *y, const float *x, const double *xshift,
		size_t lo, size_t hi, size_t cb, size_t hw, double *part) {
	const double zero[16] = {0};
	for (size_t u = lo; u < hi; u++) {
		size_t ch = (u % cb) * 16;
		const double *gs = gshift ? gshift + ch : zero, *xs = xshift + ch;
		__m256d s[4], q[4];
		for (int k = 0; k < 4; k++) s[k] = q[k] = _mm256_setzero_pd();
		const float *gu = g + u * hw * 16, *xu = x + u * hw * 16, *yu = y ? y + u * hw * 16 : NULL;
		for (size_t j = 0; j < hw; j++) {
			__m256 g0 = _mm256_loadu_ps(gu + j * 16), g1 = _mm256_loadu_ps(gu + j * 16 + 8);
			if (yu) {
				g0 = _mm256_and_ps(g0, gt0b(_mm256_loadu_ps(yu + j * 16)));
				g1 = _mm256_and_ps(g1, gt0b(_mm256_loadu_ps(yu + j * 16 + 8)));
			}
			__m256d a[4], d[4];
			cvt4(a, g0, g1, gs);
			if (xu == gu && xs == gs) {
				for (int k = 0; k < 4; k++) d[k] = a[k];
			} else {
				cvt4(d, _mm256_loadu_ps(xu + j * 16), _mm256_loadu_ps(xu + j * 16 + 8), xs);
			}
			for (int k = 0; k < 4; k++) {
				s[k] = _mm256_add_pd(s[k], a[k]);
				q[k] = _mm256_add_pd(q[k], _mm256_mul_pd(a[k], d[k]));
			}
		}
		double *p = part + u * 32;
		for (int k = 0; k < 4; k++) {
			_mm256_storeu_pd(p + 4 * k, s[k]);
			_mm256_storeu_pd(p + 16 + 4 * k, q[k]);
		}
	}
}

// bnb_apply: y = scale*x + shift, then max(., 0) when relu, per channel.
__attribute__((target("avx2")))
static void bnb_apply(float *y, const float *x, size_t lo, size_t hi, size_t cb, size_t hw,
		const float *scale, const float *shift, int relu) {
	__m256 z = _mm256_setzero_ps();
	for (size_t u = lo; u < hi; u++) {
		size_t ch = (u % cb) * 16;
		__m256 s0 = _mm256_loadu_ps(scale + ch), s1 = _mm256_loadu_ps(scale + ch + 8);
		__m256 t0 = _mm256_loadu_ps(shift + ch), t1 = _mm256_loadu_ps(shift + ch + 8);
		const float *xu = x + u * hw * 16;
		float *yu = y + u * hw * 16;
		for (size_t j = 0; j < hw; j++) {
			__m256 v0 = _mm256_add_ps(_mm256_mul_ps(s0, _mm256_loadu_ps(xu + j * 16)), t0);
			__m256 v1 = _mm256_add_ps(_mm256_mul_ps(s1, _mm256_loadu_ps(xu + j * 16 + 8)), t1);
			if (relu) {
				v0 = _mm256_max_ps(z, v0);
				v1 = _mm256_max_ps(z, v1);
			}
			_mm256_storeu_ps(yu + j * 16, v0);
			_mm256_storeu_ps(yu + j * 16 + 8, v1);
		}
	}
}

// bnb_dx: d = a*g - b*(x-mean) - cc per channel, g masked by y > 0 when y.
__attribute__((target("avx2")))
static void bnb_dx(float *d, const float *g, const float *x, const float *y, size_t lo, size_t hi, size_t cb, size_t hw,
		const float *a, const float *b, const float *cc, const float *mean) {
	for (size_t u = lo; u < hi; u++) {
		size_t ch = (u % cb) * 16;
		__m256 va[2], vb[2], vc[2], vm[2];
		for (int h = 0; h < 2; h++) {
			va[h] = _mm256_loadu_ps(a + ch + 8 * h);
			vb[h] = _mm256_loadu_ps(b + ch + 8 * h);
			vc[h] = _mm256_loadu_ps(cc + ch + 8 * h);
			vm[h] = _mm256_loadu_ps(mean + ch + 8 * h);
		}
		size_t base = u * hw * 16;
		for (size_t j = 0; j < hw; j++) {
			for (int h = 0; h < 2; h++) {
				size_t o = base + j * 16 + 8 * h;
				__m256 gv = _mm256_loadu_ps(g + o);
				if (y) gv = _mm256_and_ps(gv, gt0b(_mm256_loadu_ps(y + o)));
				__m256 xm = _mm256_sub_ps(_mm256_loadu_ps(x + o), vm[h]);
				_mm256_storeu_ps(d + o, _mm256_sub_ps(_mm256_sub_ps(_mm256_mul_ps(va[h], gv), _mm256_mul_ps(vb[h], xm)), vc[h]));
			}
		}
	}
}
*/
import "C"

func csz(n int) C.size_t { return C.size_t(n) }

// simdBNBStats is bnbStatsGo with AVX2.
func simdBNBStats(x []float32, lo, hi, cb, hw int, shift, part []float64) {
	_ = x[hi*hw*blockC-1]
	_ = part[hi*2*blockC-1]
	C.bnb_sums(fp(x), dp(shift), nil, fp(x), dp(shift), csz(lo), csz(hi), csz(cb), csz(hw), dp(part))
}

// simdBNBApply is bnbApplyGo with AVX2.
func simdBNBApply(y, x []float32, lo, hi, cb, hw int, scale, shift []float32, relu bool) {
	_, _ = y[hi*hw*blockC-1], x[hi*hw*blockC-1]
	_, _ = scale[cb*blockC-1], shift[cb*blockC-1]
	r := C.int(0)
	if relu {
		r = 1
	}
	C.bnb_apply(fp(y), fp(x), csz(lo), csz(hi), csz(cb), csz(hw), fp(scale), fp(shift), r)
}

// simdBNBBackSums is bnbBackSumsGo with AVX2.
func simdBNBBackSums(dy, x, y []float32, lo, hi, cb, hw int, mean, part []float64) {
	_, _ = dy[hi*hw*blockC-1], x[hi*hw*blockC-1]
	_ = part[hi*2*blockC-1]
	if y != nil {
		_ = y[hi*hw*blockC-1]
	}
	_ = mean[cb*blockC-1]
	C.bnb_sums(fp(dy), nil, fpOrNil(y), fp(x), dp(mean), csz(lo), csz(hi), csz(cb), csz(hw), dp(part))
}

// simdBNBDx is bnbDxGo with AVX2.
func simdBNBDx(d, g, x, y []float32, lo, hi, cb, hw int, a, b, cc, mean []float32) {
	_, _, _ = d[hi*hw*blockC-1], g[hi*hw*blockC-1], x[hi*hw*blockC-1]
	_, _, _, _ = a[cb*blockC-1], b[cb*blockC-1], cc[cb*blockC-1], mean[cb*blockC-1]
	if y != nil {
		_ = y[hi*hw*blockC-1]
	}
	C.bnb_dx(fp(d), fp(g), fp(x), fpOrNil(y), csz(lo), csz(hi), csz(cb), csz(hw), fp(a), fp(b), fp(cc), fp(mean))
}
