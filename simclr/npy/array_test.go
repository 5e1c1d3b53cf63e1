package npy

import (
	"runtime"
	"testing"
)

// FuzzDecode: Decode returns an error or an array holding exactly
// the header's element count; it never panics and allocates at most 64
// bytes per input byte + 64 KiB (the data is checked against the file
// size before the array is allocated).
func FuzzDecode(f *testing.F) {
	f.Add(append(EncodeHeader("<f4", []int{2, 2}), make([]byte, 16)...))
	f.Add(append(EncodeHeader("<i8", []int{3}), make([]byte, 24)...))
	f.Add(append(EncodeHeader("<i8", []int{2305843009213693954}), make([]byte, 16)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		a, err := Decode(b)
		runtime.ReadMemStats(&m1)
		if d := m1.TotalAlloc - m0.TotalAlloc; d > 64*uint64(len(b))+64<<10 {
			t.Fatalf("allocated %d bytes for a %d-byte input", d, len(b))
		}
		if err != nil {
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if len(a.F32)+len(a.I64) != n {
			t.Fatalf("shape %v %s with %d+%d values", a.Shape, a.Descr, len(a.F32), len(a.I64))
		}
	})
}
