package vulkan

import (
	"fmt"
	"log"
	"slices"
	"time"
)

// The tuning service shared by the GEMM classes (autotune.go) and the
// convolution problems (conv_autotune.go): the timer of candidates, the
// mode, notes and time spent (gemmTuner), beside the cache
// (autotune_cache.go) and the agreement check (agree.go).

// kernelTimer times recorded work for autotuning: one warm-up (pipeline
// creation), then runs timed by GPU timestamps where the queue has them
// (and the caller is not profiling, nor asked for wall time), else wall
// time from Flush to Flush over reps recordings; median of the runs. In
// wall mode with adaptive reps, reps is set after the warm-up so that a
// sample lasts about wallSample.
type kernelTimer struct {
	d          *Device
	runs, reps int
	useTS      bool
	adaptive   bool
	desc       string // how it times, for plans and the cache
	close      func()
}

// wallSample is the length of one wall-time sample with adaptive reps:
// long enough that the Flush (submit and fence wait, tens of
// microseconds) is a few percent of it.
const wallSample = 4 * time.Millisecond

// newKernelTimer flushes pending work and sets up the timing (timestamps
// on, the caller's profile put aside until close). wall asks for wall time
// with adaptive reps even where timestamps exist: GEMM classes on GPUs,
// where an H200 timed the vec4-load kernels by timestamps at a quarter of
// the rate `bench gemm` measures by wall clock (8.7 against 38.8 TFLOP/s
// for tiled_128x128_db_v4 on 4096^2 x 1024, every run of that process),
// while the other kernels agreed.
func (d *Device) newKernelTimer(wall bool) (*kernelTimer, error) {
	if err := d.Flush(); err != nil {
		return nil, err
	}
	tm := &kernelTimer{d: d, runs: 5, reps: 1, close: func() {}}
	if d.info.Type == "cpu" {
		tm.runs = 3
	}
	if wall {
		tm.adaptive = true
		tm.desc = fmt.Sprintf("wall time Flush to Flush, samples of about %v (repeated recordings), median of %d samples", wallSample, tm.runs)
		return tm, nil
	}
	tm.useTS = d.rt.CanProfile() && !d.rt.Profiling()
	if tm.useTS {
		saved := d.rt.SwapProfile(map[string]*OpTime{})
		if err := d.EnableProfile(true); err != nil {
			d.rt.SwapProfile(saved)
			return nil, err
		}
		tm.close = func() {
			d.EnableProfile(false)
			d.rt.SwapProfile(saved)
		}
		tm.desc = fmt.Sprintf("timestamp queries, median of %d runs", tm.runs)
	} else {
		tm.reps = 3
		tm.desc = fmt.Sprintf("wall time Flush to Flush, %d runs of the kernel per sample, median of %d samples", tm.reps, tm.runs)
	}
	return tm, nil
}

// median records the work once as a warm-up, then times it.
func (tm *kernelTimer) median(record func()) (time.Duration, error) {
	d := tm.d
	record()
	if err := d.Flush(); err != nil {
		return 0, err
	}
	if tm.adaptive {
		// The warm-up's time includes pipeline creation: time one more.
		t0 := time.Now()
		record()
		if err := d.Flush(); err != nil {
			return 0, err
		}
		one := max(time.Since(t0), time.Microsecond)
		tm.reps = int(min(max(wallSample/one, 1), 256))
	}
	times := make([]time.Duration, tm.runs)
	for r := range times {
		if tm.useTS {
			d.rt.ClearProfile()
		}
		t0 := time.Now()
		for range tm.reps {
			record()
		}
		if err := d.Flush(); err != nil {
			return 0, err
		}
		times[r] = time.Since(t0)
		if tm.useTS {
			times[r] = d.rt.ProfileTotal()
		}
		times[r] /= time.Duration(tm.reps)
	}
	slices.Sort(times)
	return max(times[len(times)/2], time.Nanosecond), nil
}

// gemmTuner holds the autotuning mode and the on-disk cache.
type gemmTuner struct {
	mode   string // "auto": use cached choices; "refresh": measure again
	path   string // cache file ("" when no cache directory is known)
	file   *tuneFile
	notes  []string
	logger func(format string, args ...any)

	convAnnounced bool          // the "timing the convolution kernels" line was printed
	spent         time.Duration // in measureClass and measureConv, for TuneTime
}

// TuneTime is the time this device has spent timing kernel candidates
// (GEMM shape classes and convolution problems, the agreement checks
// included) since it opened: what autotuning added to the first steps.
func (d *Device) TuneTime() time.Duration {
	if d.tune.tuner == nil {
		return 0
	}
	return d.tune.tuner.spent
}

// addSpent adds the time since t0 to the tuning time (deferred by the
// measuring functions).
func (t *gemmTuner) addSpent(t0 time.Time) { t.spent += time.Since(t0) }

// notef logs a note (corrupt cache, failed tuning) and keeps it for tests.
func (t *gemmTuner) notef(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	t.notes = append(t.notes, msg)
	if t.logger != nil {
		t.logger("%s", msg)
	} else {
		log.Printf("engine/vulkan: %s", msg)
	}
}
