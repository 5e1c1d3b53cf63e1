package cpu

import "simclr-vk/engine"

// Float16 storage: float32 values packed two per 32-bit word as binary16
// (engine.Float16Bits, engine.Float16Value). The packed words travel as
// float32 tensors holding the bit patterns.

// ToFloat16 packs src (n) into dst ((n+1)/2 words): word i holds
// Float16Bits(src[2i]) in its low and Float16Bits(src[2i+1]) (0 past the
// end) in its high 16 bits.
func ToFloat16(dst /* ((n+1)/2) */, src /* (n) */ []float32) { engine.PackFloat16(dst, src) }

// FromFloat16 unpacks src ((n+1)/2 words written by ToFloat16) into dst
// (n): dst[i] = Float16Value of the low (even i) or high (odd i) half of
// word i/2.
func FromFloat16(dst /* (n) */, src /* ((n+1)/2) */ []float32) { engine.UnpackFloat16(dst, src) }

func (be *Backend) ToFloat16(dst, src *engine.Tensor) {
	engine.CheckBackend("ToFloat16", be, dst, src)
	engine.CheckNumel("ToFloat16", "dst", dst, (engine.CheckFloat32("ToFloat16", "src", src)+1)/2)
	d, s := data(dst), data(src)
	be.chunks(len(d), func(lo, hi int) { ToFloat16(d[lo:hi], s[2*lo:min(2*hi, len(s))]) })
}

func (be *Backend) FromFloat16(dst, src *engine.Tensor) {
	engine.CheckBackend("FromFloat16", be, dst, src)
	engine.CheckNumel("FromFloat16", "src", src, (engine.CheckFloat32("FromFloat16", "dst", dst)+1)/2)
	d, s := data(dst), data(src)
	be.chunks(len(s), func(lo, hi int) { FromFloat16(d[2*lo:min(2*hi, len(d))], s[lo:hi]) })
}
