package engine

import (
	"fmt"
	"math"
	"strings"
)

// Shape-check helpers shared by the backends. They panic with an
// "engine: <op>: ..." message naming the offending tensor.

// CheckNumel panics unless t holds exactly n elements stored as float32:
// every operand of every op is checked by it (or by CheckNumelOf where
// Float16Operands allows float16), so no op reads a float16 tensor as
// float32 by mistake.
func CheckNumel(op, name string, t *Tensor, n int) { CheckNumelOf(op, name, t, n, Float32) }

// checkLive panics unless t is a live tensor.
func checkLive(op, name string, t *Tensor) {
	if t == nil {
		panic(fmt.Sprintf("engine: %s: %s is nil", op, name))
	}
	if t.Released() {
		panic(fmt.Sprintf("engine: %s: %s %v was released", op, name, t))
	}
}

// CheckSizes panics unless every size argument of op is positive; names
// lists them space-separated, e.g. CheckSizes(op, "n c hw", n, c, hw), and
// the message gives every one: "engine: <op>: n 0, c 3, hw 4: sizes must
// be positive".
func CheckSizes(op, names string, sizes ...int) {
	ns := strings.Fields(names)
	if len(ns) != len(sizes) {
		panic(fmt.Sprintf("engine: CheckSizes: %d names %q for %d sizes", len(ns), names, len(sizes)))
	}
	for _, v := range sizes {
		if v <= 0 {
			parts := make([]string, len(ns))
			for i, n := range ns {
				parts[i] = fmt.Sprintf("%s %d", n, sizes[i])
			}
			panic(fmt.Sprintf("engine: %s: %s: sizes must be positive", op, strings.Join(parts, ", ")))
		}
	}
}

// CheckSame panics unless every tensor has the numel of the first.
func CheckSame(op string, names []string, ts ...*Tensor) int {
	if len(ts) == 0 || ts[0] == nil {
		panic(fmt.Sprintf("engine: %s: %s is nil", op, names[0]))
	}
	n := ts[0].numel
	for i, t := range ts {
		CheckNumel(op, names[i], t, n)
	}
	return n
}

// CheckAddReLU checks AddReLU's operands: y, a and b live, of one shape
// and one dtype among dtypes (float32, or float16 where the backend stores
// it). Returns the numel and the dtype.
func CheckAddReLU(y, a, b *Tensor, dtypes ...DType) (int, DType) {
	const op = "AddReLU"
	n, dt := CheckSameOf(op, []string{"y", "a", "b"}, dtypes, y, a, b)
	if !SameShape(a.shape, b.shape) || !SameShape(y.shape, a.shape) {
		panic(fmt.Sprintf("engine: %s: shapes differ: y %v, a %v, b %v", op, y.shape, a.shape, b.shape))
	}
	return n, dt
}

// CheckBackend panics unless t belongs to b.
func CheckBackend(op string, b Backend, ts ...*Tensor) {
	for _, t := range ts {
		if t != nil && t.backend != b {
			panic(fmt.Sprintf("engine: %s: tensor %v belongs to backend %s, not %s", op, t, t.backend.Name(), b.Name()))
		}
	}
}

// CheckBatchNorm validates p and the tensors shared by the batch-norm ops:
// x (N, C, HW), gamma and beta (C) when not nil, and every statistics
// tensor (C).
func CheckBatchNorm(op string, p BatchNormParams, x, gamma, beta *Tensor, stats ...*Tensor) {
	checkBatchNorm(op, p, x, []DType{Float32}, gamma, beta, stats...)
}

// checkBatchNorm is CheckBatchNorm with x stored as one of xTypes.
func checkBatchNorm(op string, p BatchNormParams, x *Tensor, xTypes []DType, gamma, beta *Tensor, stats ...*Tensor) {
	CheckBatchNormParams(op, p)
	CheckNumelOf(op, "x", x, p.N*p.C*p.HW, xTypes...)
	if gamma != nil {
		CheckNumel(op, "gamma", gamma, p.C)
	}
	if beta != nil {
		CheckNumel(op, "beta", beta, p.C)
	}
	for _, s := range stats {
		CheckNumel(op, "statistics", s, p.C)
	}
}

// CheckBatchNormParams panics unless p's sizes are positive and its eps
// is not negative (or NaN).
func CheckBatchNormParams(op string, p BatchNormParams) {
	if p.N <= 0 || p.C <= 0 || p.HW <= 0 || !(p.Eps >= 0) {
		panic(fmt.Sprintf("engine: %s: invalid parameters %+v", op, p))
	}
}

// CheckBatchNormFinish validates BatchNormFinish's float32 tensors: stats
// (C, 2), mean and invStd (C), and runMean and runVar (C) both set or both
// nil (the op updates both or neither). With them set, the running
// variance is M2/(m-1), so, as BatchNormForwardTrain, it needs more than
// one value per channel (m = N*HW > 1) rather than writing 0/0.
func CheckBatchNormFinish(op string, p BatchNormParams, mean, invStd, runMean, runVar, stats *Tensor) {
	CheckBatchNormParams(op, p)
	CheckNumel(op, "stats", stats, 2*p.C)
	CheckNumel(op, "mean", mean, p.C)
	CheckNumel(op, "invStd", invStd, p.C)
	if (runMean == nil) != (runVar == nil) {
		panic(fmt.Sprintf("engine: %s: runMean and runVar must both be nil or both be set", op))
	}
	if runMean == nil {
		return
	}
	CheckNumel(op, "runMean", runMean, p.C)
	CheckNumel(op, "runVar", runVar, p.C)
	if p.N*p.HW < 2 {
		panic(fmt.Sprintf("engine: %s: need more than 1 value per channel in training mode (N %d, HW %d)", op, p.N, p.HW))
	}
}

// CheckBatchNormInvStd validates BatchNormInvStd's float32 tensors:
// invStd and runVar (C).
func CheckBatchNormInvStd(op string, p BatchNormParams, invStd, runVar *Tensor) {
	CheckBatchNormParams(op, p)
	CheckNumel(op, "invStd", invStd, p.C)
	CheckNumel(op, "runVar", runVar, p.C)
}

// CheckBatchNormBackwardFinish validates BatchNormBackwardFinish's float32
// tensors: sums and means (C, 2), and dgamma and dbeta (C), each of which
// may be nil (an output not wanted).
func CheckBatchNormBackwardFinish(op string, p BatchNormParams, dgamma, dbeta, means, sums *Tensor) {
	CheckBatchNormParams(op, p)
	CheckNumel(op, "sums", sums, 2*p.C)
	CheckNumel(op, "means", means, 2*p.C)
	if dgamma != nil {
		CheckNumel(op, "dgamma", dgamma, p.C)
	}
	if dbeta != nil {
		CheckNumel(op, "dbeta", dbeta, p.C)
	}
}

// CheckBatchNormGroups validates the batch-norm-in-parts ops' groups (at
// least 1, dividing N) on top of CheckBatchNorm, and returns the rows per
// group.
func CheckBatchNormGroups(op string, p BatchNormParams, groups int, x, gamma, beta *Tensor) int {
	return CheckBatchNormGroupsOf(op, p, groups, x, gamma, beta, Float32)
}

// CheckBatchNormGroupsOf is CheckBatchNormGroups with x stored as one of
// xTypes (BatchNormApply: Float16 too).
func CheckBatchNormGroupsOf(op string, p BatchNormParams, groups int, x, gamma, beta *Tensor, xTypes ...DType) int {
	checkBatchNorm(op, p, x, xTypes, gamma, beta)
	if groups < 1 || p.N%groups != 0 {
		panic(fmt.Sprintf("engine: %s: %d groups do not divide the batch of %d rows", op, groups, p.N))
	}
	return p.N / groups
}

// CheckBatchNormBackParts checks what the two backward parts of batch norm
// in parts (BatchNormBackwardSums, BatchNormBackwardApply) share: dy sized
// and stored like x (whose dtype CheckBatchNormGroupsOf checked), mean and
// invStd (groups, C), and y like dy when p.ReLU (the only case where y is
// read).
func CheckBatchNormBackParts(op string, p BatchNormParams, groups int, dy, x, y, mean, invStd *Tensor) {
	CheckNumelOf(op, "dy", dy, x.Numel(), x.dtype)
	CheckNumel(op, "mean", mean, groups*p.C)
	CheckNumel(op, "invStd", invStd, groups*p.C)
	if p.ReLU {
		CheckNumelOf(op, "y", y, x.Numel(), x.dtype)
	}
}

// CheckNTXent validates the NT-Xent tensors (z (2N, d), out (2), dz (2N, d)
// or nil) and the temperature, and returns (2N, d).
func CheckNTXent(op string, dz, out, z *Tensor, tau float32) (rows, d int) {
	if z == nil {
		panic(fmt.Sprintf("engine: %s: z is nil", op))
	}
	if z.Rank() != 2 {
		panic(fmt.Sprintf("engine: %s: z has shape %v, want (2N, d)", op, z.Shape()))
	}
	rows, d = z.Dim(0), z.Dim(1)
	if rows < 2 || rows%2 != 0 {
		panic(fmt.Sprintf("engine: %s: z has %d rows, want an even number 2N >= 2 (views i and i+N are positives)", op, rows))
	}
	if !(tau > 0) || math.IsInf(float64(tau), 0) {
		panic(fmt.Sprintf("engine: %s: temperature %v must be positive and finite", op, tau))
	}
	CheckNumel(op, "z", z, rows*d)
	CheckNumel(op, "out", out, 2)
	if dz != nil {
		CheckNumel(op, "dz", dz, rows*d)
	}
	return rows, d
}
