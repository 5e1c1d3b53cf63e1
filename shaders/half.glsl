// half.glsl: IEEE binary16 <-> float32 in integer arithmetic, so that
// every device rounds as the CPU (GLSL's packHalf2x16 and float16_t
// conversions may round toward zero or flush subnormals):
//   half16(f)       engine.Float16Bits of the float32 bits f;
//   float32bits(h)  engine.Float16Value's bits of the binary16 pattern h;
//   h2f(h)          float32bits(h) as a float, branch-free;
//   H2F(h), F2H(v)  the float value of a uint16_t element, and the
//                   uint16_t element of the float v (rounded to nearest,
//                   ties to even), for the kernels of engine.Float16
//                   tensors (uint16_t buffers: GL_EXT_shader_16bit_storage,
//                   which such a kernel enables).
// Used by to_float16.comp, from_float16.comp, round_float16.comp and the
// HALF / F16 variants (eltwise.glsl, half_bind.glsl, batchnorm_half.glsl,
// conv2d_half.glsl).

// half16 is engine.Float16Bits on the float32 bits f.
uint half16(uint f) {
    uint sign = (f >> 16) & 0x8000u;
    uint a = f & 0x7fffffffu;
    if (a > 0x7f800000u) {
        return sign | 0x7e00u; // NaN
    }
    if (a >= 0x477ff000u) {
        return sign | 0x7c00u; // 65520 and up, Inf included
    }
    if (a >= 0x38800000u) { // normal
        uint h = (a - 0x38000000u) >> 13;
        uint rem = a & 0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (h & 1u) != 0u)) {
            h++;
        }
        return sign | h;
    }
    if ((a >> 23) < 102u) {
        return sign; // below 2^-25
    }
    uint m = (a & 0x7fffffu) | 0x800000u; // subnormal
    uint shift = 126u - (a >> 23);
    uint h = m >> shift;
    uint rem = m & ((1u << shift) - 1u);
    uint mid = 1u << (shift - 1u);
    if (rem > mid || (rem == mid && (h & 1u) != 0u)) {
        h++;
    }
    return sign | h;
}

// float32bits is engine.Float16Value's bits for the binary16 pattern h.
uint float32bits(uint h) {
    uint sign = (h & 0x8000u) << 16;
    uint e = (h >> 10) & 0x1fu;
    uint m = h & 0x3ffu;
    if (e == 31u) {
        return sign | 0x7f800000u | (m << 13); // Inf, NaN
    }
    if (e == 0u) {
        if (m == 0u) {
            return sign;
        }
        e = 113u; // subnormal: normalise
        while ((m & 0x400u) == 0u) {
            m <<= 1;
            e--;
        }
        return sign | (e << 23) | ((m & 0x3ffu) << 13);
    }
    return sign | ((e + 112u) << 23) | (m << 13);
}

// h2f is the float value of the binary16 pattern h, as float32bits but
// without a branch or a loop (H2F runs on every operand load of the HALF
// kernels: gemm_regblock's _f16 variants convert 16 values per 64
// multiply-adds): a subnormal h as m * 2^-24 (an exact integer-to-float
// conversion times a power of two, a normal float32, so no device flushes
// it), the others by rebiasing the exponent (Inf and NaN, payload kept,
// to exponent 255); the sign ORed in.
float h2f(uint h) {
    uint em = h & 0x7fffu;
    uint bits = (em << 13) + (em >= 0x7c00u ? 0x70000000u : 0x38000000u);
    uint sub = floatBitsToUint(float(em) * 5.9604644775390625e-8); // 2^-24
    return uintBitsToFloat((em < 0x400u ? sub : bits) | ((h & 0x8000u) << 16));
}

#define H2F(h) h2f(uint(h))
#define F2H(v) uint16_t(half16(floatBitsToUint(v)))
