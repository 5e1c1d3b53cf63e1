package conv

import (
	"fmt"
	"math"

	"simclr-vk/engine"
)

// The float16 cooperative-matrix tiles stage float16 activations into the
// float16 shared tiles at scale 1 (coopmat_tile.glsl's CM_A_HALF,
// CM_B_HALF), unlike the float32 tiles, which scale each operand into
// [2^14, 2^15) so that no value becomes a float16 subnormal. Whether the
// cooperative-matrix multiply keeps float16 subnormal inputs (|v| <
// 2^-14) is the implementation's choice (the kernels declare no
// DenormPreserve): a device that flushes them would turn every activation
// or gradient below 2^-14 into 0. SelfCheck16 finds out once, when the
// device opens; where it fails, package vulkan makes the family again
// with Config.NoCoopMat16, and float16 activations run the float32-tile
// _f16 kernels of a device without cooperative matrices.

// selfCheck16Params is SelfCheck16's problem: two images of 3x3 padded
// convolutions, small enough to cost little at open.
var selfCheck16Params = engine.Conv2DParams{N: 2, C: 4, H: 5, W: 5, K: 6, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}

// SelfCheck16 runs one small forward convolution (selfCheck16Params) with
// float16 activations on the float16 cooperative-matrix tile the table
// picks for it and compares y with a float64 reference on the same
// float16 x and on w rounded as the tile rounds it (scaled by a power of
// two into [2^14, 2^15), rounded to float16, scaled back): within one
// float16 step of each output, plus 2^-10 of the sum of its products'
// magnitudes (w rounded either way Vulkan allows). Image 0's activations are all float16
// subnormals (2^-24 and the largest, 1023 * 2^-24, among them), image 1's
// normal values from 2^-14 up, of both signs. The error says whether y
// matches the reference with the subnormal activations read as 0 (the
// multiply flushes them) or is otherwise wrong; a pipeline the driver
// cannot build is reported too, without becoming the device's sticky
// error. Nil without Config.CoopMat or with Config.NoCoopMat16 (nothing
// to check).
func (o *Ops) SelfCheck16() error {
	cms := o.convCoopMat16()
	if len(cms) == 0 {
		return nil
	}
	p := selfCheck16Params
	t := o.convTableTile16("forward", p)
	shader := t.shader("forward")
	if err := o.RT.Pipeline(shader, t.spec(isDirect1x1(p)), 4); err != nil { // y, x, w, the input maxima
		return fmt.Errorf("%s: %w", shader, err)
	}
	x, w := selfCheck16Inputs(p)
	sent := append([]float32(nil), x...)
	if o.cfg.SelfCheck16Input != nil {
		o.cfg.SelfCheck16Input(sent)
	}
	xt, wt, yt := o.RT.NewFloat16(p.N, p.C, p.H, p.W), o.RT.New(p.K, p.C, p.R, p.S), o.RT.NewFloat16(p.N, p.K, p.OutH(), p.OutW())
	defer xt.Release()
	defer wt.Release()
	defer yt.Release()
	o.RT.Upload(xt, sent)
	o.RT.Upload(wt, w)
	o.conv2dForward(yt, xt, wt, p, t)
	got := make([]float32, yt.Numel())
	if err := o.RT.Download(yt, got); err != nil {
		return fmt.Errorf("%s: %w", shader, err)
	}
	rw := engine.RoundScaled(w, engine.RoundFloat16) // as the tile reads w
	want, mag := selfCheck16Ref(x, rw, p)
	bad, first := selfCheck16Diff(got, want, mag)
	if bad == 0 {
		return nil
	}
	flushed := append([]float32(nil), x...)
	for i, v := range flushed {
		if math.Abs(float64(v)) < 0x1p-14 {
			flushed[i] = 0
		}
	}
	fwant, fmag := selfCheck16Ref(flushed, rw, p)
	if fbad, _ := selfCheck16Diff(got, fwant, fmag); fbad == 0 {
		return fmt.Errorf("%s flushes float16 subnormal activations (|x| < 2^-14) to 0: %d of %d outputs of a float16 %v convolution wrong, as with those read as 0 (%s)", shader, bad, len(got), p, first)
	}
	return fmt.Errorf("%s computed %d of %d outputs of a float16 %v convolution wrongly (%s)", shader, bad, len(got), p, first)
}

// selfCheck16Inputs are SelfCheck16's x (float16 values: image 0 all
// subnormals, image 1 normal ones from 2^-14 to 2^3) and w (float32).
func selfCheck16Inputs(p engine.Conv2DParams) (x, w []float32) {
	x = make([]float32, p.N*p.C*p.H*p.W)
	img := p.C * p.H * p.W
	for i := range x {
		sign := uint16(0)
		if (i*7)%3 == 0 {
			sign = 0x8000
		}
		var bits uint16
		if i < img {
			bits = uint16(1 + (i*379)%1023) // mantissa 1..1023, exponent field 0: a subnormal
			switch i {
			case 3:
				bits = 1 // 2^-24, the smallest
			case 11:
				bits = 0x3ff // 1023 * 2^-24, the largest
			}
		} else {
			j := i - img
			bits = uint16(1+j%18)<<10 | uint16((j*613)%1024) // exponent field 1..18: 2^-14 up to below 2^4
			if j == 5 {
				bits = 0x400 // 2^-14, the smallest normal
			}
		}
		x[i] = engine.Float16Value(sign | bits)
	}
	w = make([]float32, p.K*p.C*p.R*p.S)
	for i := range w {
		w[i] = float32(math.Sin(0.71*float64(i) + 0.3))
	}
	return x, w
}

// selfCheck16Ref is the forward convolution of x and w summed in float64
// (y, then rounded to float16 by the caller's comparison), with the sum of
// the products' magnitudes of each output.
func selfCheck16Ref(x, w []float32, p engine.Conv2DParams) (y, mag []float64) {
	P, Q := p.OutH(), p.OutW()
	y, mag = make([]float64, p.N*p.K*P*Q), make([]float64, p.N*p.K*P*Q)
	for n := 0; n < p.N; n++ {
		for k := 0; k < p.K; k++ {
			for oh := 0; oh < P; oh++ {
				for ow := 0; ow < Q; ow++ {
					i := ((n*p.K+k)*P+oh)*Q + ow
					for c := 0; c < p.C; c++ {
						for r := 0; r < p.R; r++ {
							for s := 0; s < p.S; s++ {
								h, v := oh*p.StrideH-p.PadH+r, ow*p.StrideW-p.PadW+s
								if h < 0 || h >= p.H || v < 0 || v >= p.W {
									continue
								}
								prod := float64(x[((n*p.C+c)*p.H+h)*p.W+v]) * float64(w[((k*p.C+c)*p.R+r)*p.S+s])
								y[i] += prod
								mag[i] += math.Abs(prod)
							}
						}
					}
				}
			}
		}
	}
	return y, mag
}

// selfCheck16Diff counts the outputs of got (float16 values) farther from
// want rounded to float16 than one float16 step of it (2^-24 for
// subnormals) plus 2^-10 of mag, naming the first. The mag term covers w
// rounded to float16 either way Vulkan allows (nearest or toward zero:
// the reference rounds to nearest); a flushed subnormal product is still
// far outside it.
func selfCheck16Diff(got []float32, want, mag []float64) (bad int, first string) {
	for i, g := range got {
		wv := engine.Float16Round(float32(want[i]))
		tol := math.Ldexp(math.Abs(float64(wv)), -10) + math.Ldexp(mag[i], -10) + 0x1p-24
		if diff := math.Abs(float64(g) - float64(wv)); !(diff <= tol) {
			if bad == 0 {
				first = fmt.Sprintf("y[%d] = %g, want %g", i, g, wv)
			}
			bad++
		}
	}
	return bad, first
}

// CoopMat16 is the cooperative-matrix variant float16 activations run on
// (Config.CoopMat), "" when they run the float32-tile _f16 kernels; off
// says why where cooperative matrices are on but not for them
// (Config.NoCoopMat16).
func (o *Ops) CoopMat16() (cm, off string) {
	if o.cfg.NoCoopMat16 != "" {
		return "", o.cfg.NoCoopMat16
	}
	return o.cfg.CoopMat, ""
}
