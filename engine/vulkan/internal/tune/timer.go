package tune

import (
	"fmt"
	"slices"
	"time"

	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Timer times recorded work for autotuning: one warm-up (pipeline
// creation), then runs timed by GPU timestamps where the queue has them
// (and the caller is not profiling, nor asked for wall time), else wall
// time from Flush to Flush over reps recordings; median of the runs. In
// wall mode with adaptive reps, reps is set after the warm-up so that a
// sample lasts about wallSample.
type Timer struct {
	rt         *vkrt.Device
	runs, reps int
	useTS      bool
	adaptive   bool
	Desc       string // how it times, for plans and the cache
	close      func()
}

// wallSample is the length of one wall-time sample with adaptive reps:
// long enough that the Flush (submit and fence wait, tens of
// microseconds) is a few percent of it.
const wallSample = 4 * time.Millisecond

// NewTimer flushes pending work and sets up the timing (timestamps
// on, the caller's profile put aside until close). wall asks for wall time
// with adaptive reps even where timestamps exist: GEMM classes on GPUs,
// where timestamps were seen to time some kernels at a fraction of the
// rate `bench gemm` measures by wall clock (docs/performance.md, P3).
func NewTimer(rt *vkrt.Device, wall bool) (*Timer, error) {
	if err := rt.Flush(); err != nil {
		return nil, err
	}
	tm := &Timer{rt: rt, runs: 5, reps: 1, close: func() {}}
	if rt.Info().Type == "cpu" {
		tm.runs = 3
	}
	if wall {
		tm.adaptive = true
		tm.Desc = fmt.Sprintf("wall time Flush to Flush, samples of about %v (repeated recordings), median of %d samples", wallSample, tm.runs)
		return tm, nil
	}
	tm.useTS = rt.CanProfile() && !rt.Profiling()
	if tm.useTS {
		saved := rt.SwapProfile(map[string]*vkrt.OpTime{})
		if err := rt.EnableProfile(true); err != nil {
			rt.SwapProfile(saved)
			return nil, err
		}
		tm.close = func() {
			rt.EnableProfile(false)
			rt.SwapProfile(saved)
		}
		tm.Desc = fmt.Sprintf("timestamp queries, median of %d runs", tm.runs)
	} else {
		tm.reps = 3
		tm.Desc = fmt.Sprintf("wall time Flush to Flush, %d runs of the kernel per sample, median of %d samples", tm.reps, tm.runs)
	}
	return tm, nil
}

// Median records the work once as a warm-up, then times it.
func (tm *Timer) Median(record func()) (time.Duration, error) {
	rt := tm.rt
	record()
	if err := rt.Flush(); err != nil {
		return 0, err
	}
	if tm.adaptive {
		// The warm-up's time includes pipeline creation: time one more.
		t0 := time.Now()
		record()
		if err := rt.Flush(); err != nil {
			return 0, err
		}
		one := max(time.Since(t0), time.Microsecond)
		tm.reps = int(min(max(wallSample/one, 1), 256))
	}
	times := make([]time.Duration, tm.runs)
	for r := range times {
		if tm.useTS {
			rt.ClearProfile()
		}
		t0 := time.Now()
		for range tm.reps {
			record()
		}
		if err := rt.Flush(); err != nil {
			return 0, err
		}
		times[r] = time.Since(t0)
		if tm.useTS {
			times[r] = rt.ProfileTotal()
		}
		times[r] /= time.Duration(tm.reps)
	}
	slices.Sort(times)
	return max(times[len(times)/2], time.Nanosecond), nil
}

// Close gives the profiler back as it was before NewTimer.
func (tm *Timer) Close() { tm.close() }
