package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"simclr-vk/engine"
	"simclr-vk/internal/bound"
	"simclr-vk/simclr/train"
)

// Helpers shared by the bench subcommands.

// imageFlag is the --image HxWxC (e.g. 32x32x3) of a bench, parsed and
// bounded when it is set.
type imageFlag struct {
	s       string
	h, w, c int
}

// addImageFlag adds --image to fs with the default def (a valid image).
func addImageFlag(fs *pflag.FlagSet, def, usage string) *imageFlag {
	f := &imageFlag{}
	if err := f.Set(def); err != nil {
		panic("bench: default " + err.Error())
	}
	fs.Var(f, "image", usage)
	return f
}

func (f *imageFlag) String() string { return f.s }
func (f *imageFlag) Type() string   { return "HxWxC" }

// Set parses s and bounds its sides and channels.
func (f *imageFlag) Set(s string) error {
	parts := strings.Split(strings.ToLower(s), "x")
	if len(parts) != 3 {
		return fmt.Errorf("--image %q: want HxWxC, e.g. 32x32x3", s)
	}
	var v [3]int
	for i, p := range parts {
		var err error
		if v[i], err = strconv.Atoi(p); err != nil || v[i] <= 0 {
			return fmt.Errorf("--image %q: want HxWxC with positive integers", s)
		}
	}
	if err := bound.Check(
		bound.Int("image", int64(v[0]), 1, train.MaxImageSide),
		bound.Int("image", int64(v[1]), 1, train.MaxImageSide),
		bound.Int("image", int64(v[2]), 1, maxChannel),
	); err != nil {
		return err
	}
	f.s, f.h, f.w, f.c = s, v[0], v[1], v[2]
	return nil
}

// median is the median of a sample (the mean of the middle two for an even
// count); v is not modified.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// uniform returns n values drawn from U[-1, 1).
func uniform(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 2*rng.Float32() - 1
	}
	return v
}

// timeRuns times iters runs of run, each flushed, after the caller's
// warm-up: the wall-clock and the process CPU seconds of each run.
func timeRuns(b engine.Backend, iters int, run func()) (wall, cpu []float64, err error) {
	wall, cpu = make([]float64, iters), make([]float64, iters)
	for i := range wall {
		t0, c0 := time.Now(), cpuTime()
		run()
		if err := b.Flush(); err != nil {
			return nil, nil, err
		}
		wall[i] = time.Since(t0).Seconds()
		cpu[i] = (cpuTime() - c0).Seconds()
	}
	return wall, cpu, nil
}

// cpuTime is the CPU time used by this process so far (all threads).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startCPUProfile starts a Go CPU profile written to path and returns the
// function that stops it and closes the file (safe to call twice).
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	done := false
	return func() {
		if !done {
			done = true
			pprof.StopCPUProfile()
			f.Close()
		}
	}, nil
}
