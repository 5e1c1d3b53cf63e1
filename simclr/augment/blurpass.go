package augment

// The passes of Blur. Every output is the same chain of float32 roundings
// as the straightforward loops (horizontal: ((0 + k0*a0) + k1*a1) + ...;
// vertical: (k0*a0 + k1*a1) + ...), so the results are bit-identical to
// them. What changes is how the chain is evaluated:
//
//   - eight outputs are summed at once in registers (mac8);
//   - taps of weight exactly 0 are skipped (adding k*a = 0 leaves the sum);
//   - taps below tinyTap (the tails of narrow kernels, often subnormal
//     float32s) are summed in float64 with the float32 rounding emulated
//     by round32: float32 arithmetic on subnormals goes through microcode
//     on x86 and made narrow blurs several times slower than wide ones
//     (docs/performance.md, P13).

// tinyTap is the weight below which a tap is summed through round32: a
// product k*a with k >= tinyTap and a >= 2^-16 is a normal float32.
const tinyTap = 0x1p-110

// blurPlan splits a kernel into its core kern[lo:hi] (weights >= tinyTap)
// and the nonzero tiny taps before (head) and after (tail) it. round32
// needs values >= 0 and endSum values <= 1: for other inputs the plan has
// no tiny taps, only the zero weights at the ends are dropped and the core
// is summed in float32.
type blurPlan struct {
	kern       []float32
	lo, hi     int
	head, tail []tinyWeight
}

type tinyWeight struct {
	j int     // tap index
	k float64 // its weight, exactly
}

// planBlur plans kern; head and tail are empty slices whose storage the
// plan's tiny-tap lists reuse.
func planBlur(kern []float32, unit bool, head, tail []tinyWeight) blurPlan {
	small := func(k float32) bool { return k == 0 || (unit && k < tinyTap) }
	p := blurPlan{kern: kern, lo: 0, hi: len(kern), head: head, tail: tail}
	for p.lo < p.hi && small(kern[p.lo]) {
		p.lo++
	}
	for p.hi > p.lo && small(kern[p.hi-1]) {
		p.hi--
	}
	for j, k := range kern {
		if k != 0 && (j < p.lo || j >= p.hi) {
			t := tinyWeight{j, float64(k)}
			if j < p.lo {
				p.head = append(p.head, t)
			} else {
				p.tail = append(p.tail, t)
			}
		}
	}
	return p
}

// inUnitRange reports whether every value of x is in [0, 1] (no NaN).
func inUnitRange(x []float32) bool {
	for _, v := range x {
		if !(v >= 0 && v <= 1) {
			return false
		}
	}
	return true
}

// round32 rounds x >= 0 to the nearest float32 (ties to even) and returns
// it as a float64, without float32 arithmetic on subnormals: below 2^-126
// float32s are the multiples of 2^-149, and adding 2^52 to x*2^149 < 2^23
// rounds it to an integer. Products of two float32s are exact in float64,
// and so are sums of two float32 multiples of 2^-149 below 2^-100; other
// sums are rounded twice (to float64, then float32), which gives the same
// float32 because float64 has more than 2*24+2 bits.
func round32(x float64) float64 {
	if x < 0x1p-126 {
		return (x*0x1p149 + 0x1p52 - 0x1p52) * 0x1p-149
	}
	return float64(float32(x))
}

// tinySum adds the float32 products w.k*a[w.j] to the float32 sum s (held
// in a float64) as float32 arithmetic would.
func tinySum(s float64, ws []tinyWeight, a []float32) float64 {
	for _, w := range ws {
		if v := a[w.j]; v != 0 {
			s = round32(s + round32(w.k*float64(v)))
		}
	}
	return s
}

// startSum is the float32 sum h + p of a head sum h (a float32 in a
// float64, usually 0) and the first core product p.
func startSum(h float64, p float32) float32 {
	if h == 0 {
		var s float32
		s += p
		return s
	}
	return float32(h + float64(p))
}

// tailFloor is a sum from which on the tail cannot change it: a tail
// product is below 2^-110 (values <= 1), under half the spacing of
// float32s >= 2^-80, so adding it rounds back to the sum.
const tailFloor = 0x1p-80

// endSum adds the tail taps of window a to the float32 sum s.
func endSum(s float32, tail []tinyWeight, a []float32) float32 {
	if len(tail) == 0 || s >= tailFloor {
		return s
	}
	return float32(tinySum(float64(s), tail, a))
}

// mac8 adds core[j] * src[base+offs[j]+i] to st[i], i < 8, for the taps
// j >= from: eight interleaved sums, kept in registers.
func mac8(st *[8]float32, core, src []float32, offs []int, base, from int) {
	s0, s1, s2, s3, s4, s5, s6, s7 := st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7]
	offs = offs[:len(core)]
	for j := from; j < len(core); j++ {
		o := base + offs[j]
		a := src[o : o+8 : o+8]
		kv := core[j]
		s0 += kv * a[0]
		s1 += kv * a[1]
		s2 += kv * a[2]
		s3 += kv * a[3]
		s4 += kv * a[4]
		s5 += kv * a[5]
		s6 += kv * a[6]
		s7 += kv * a[7]
	}
	*st = [8]float32{s0, s1, s2, s3, s4, s5, s6, s7}
}

// blurRow sets out[x] to the horizontal blur sum over pad[x : x+k]; pad
// holds len(out) + k - 1 values. offs[j] = p.lo + j.
func blurRow(out, pad []float32, p *blurPlan, offs []int) {
	k := len(p.kern)
	pad = pad[:len(out)+k-1]
	core := p.kern[p.lo:p.hi]
	tiny := len(p.head)+len(p.tail) > 0
	x := 0
	for ; x+8 <= len(out); x += 8 {
		var st [8]float32 // +0, where the reference sums start
		if !tiny {
			mac8(&st, core, pad, offs, x, 0)
			copy(out[x:x+8], st[:])
			continue
		}
		for i := range st {
			w := pad[x+i:]
			st[i] = startSum(tinySum(0, p.head, w), core[0]*w[p.lo])
		}
		mac8(&st, core, pad, offs, x, 1)
		for i, s := range st {
			out[x+i] = endSum(s, p.tail, pad[x+i:])
		}
	}
	for ; x < len(out); x++ {
		w := pad[x : x+k]
		s := startSum(tinySum(0, p.head, w), core[0]*w[p.lo])
		for j := 1; j < len(core); j++ {
			s += core[j] * w[p.lo+j]
		}
		out[x] = endSum(s, p.tail, w)
	}
}

// tinySumCol is tinySum down column x of src, whose tap j is row rows[j].
func tinySumCol(s float64, ws []tinyWeight, src []float32, rows []int, w, x int) float64 {
	for _, t := range ws {
		if v := src[rows[t.j]*w+x]; v != 0 {
			s = round32(s + round32(t.k*float64(v)))
		}
	}
	return s
}

// colStart and colEnd are startSum and endSum for column x.
func colStart(p *blurPlan, src []float32, rows []int, w, x int, kv float32) float32 {
	return startSum(tinySumCol(0, p.head, src, rows, w, x), kv*src[rows[p.lo]*w+x])
}

func colEnd(p *blurPlan, s float32, src []float32, rows []int, w, x int) float32 {
	if len(p.tail) != 0 && s < tailFloor {
		s = float32(tinySumCol(float64(s), p.tail, src, rows, w, x))
	}
	return clip01(s)
}

// blurColumns sets out[x] = clip01(the vertical blur sum of column x over
// source rows rows[0:k] of src, w values each): the vertical pass for one
// output row. offs holds len(core) ints of scratch.
func blurColumns(out, src []float32, rows []int, w int, p *blurPlan, offs []int) {
	rows = rows[:len(p.kern)]
	core := p.kern[p.lo:p.hi]
	for j := range core {
		offs[j] = rows[p.lo+j] * w
	}
	tiny := len(p.head)+len(p.tail) > 0
	x := 0
	for ; x+8 <= w; x += 8 {
		// Without tiny taps the sums start at +0 rather than at the
		// first product: that changes at most the sign of a zero sum,
		// which clip01 makes +0 either way.
		var st [8]float32
		if !tiny {
			mac8(&st, core, src, offs, x, 0)
			o := out[x : x+8 : x+8]
			for i, s := range st {
				o[i] = clip01(s)
			}
			continue
		}
		for i := range st {
			st[i] = colStart(p, src, rows, w, x+i, core[0])
		}
		mac8(&st, core, src, offs, x, 1)
		for i, s := range st {
			out[x+i] = colEnd(p, s, src, rows, w, x+i)
		}
	}
	for ; x < w; x++ {
		s := colStart(p, src, rows, w, x, core[0])
		for j := 1; j < len(core); j++ {
			s += core[j] * src[offs[j]+x]
		}
		out[x] = colEnd(p, s, src, rows, w, x)
	}
}
