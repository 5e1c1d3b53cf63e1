package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"simclr-vk/simclr/metrics"
	"simclr-vk/simclr/train"
)

func init() {
	register("train", "SimCLR pre-training with kNN monitor, checkpoints and resume (the defaults are a few-minute CPU run on Fashion-MNIST)", runTrain)
}

func runTrain(args []string) error {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	return trainWithSignals(args, sig, os.Stdout, os.Exit)
}

// signalStatus is the exit status of a process stopped by s, as shells
// report it: 128 + its number (130 for SIGINT, 143 for SIGTERM).
func signalStatus(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// trainWithSignals is `simclr-vk train` reading signals from sig: the first
// finishes the current step, writes a checkpoint and returns an *exitError
// of status signalStatus (so that `train && export` stops there) saying
// where it saved and how to resume; the second calls abort with its status
// at once (checkpoints are written to a temporary file and renamed, so the
// last one is never half-written).
func trainWithSignals(args []string, sig <-chan os.Signal, out *os.File, abort func(code int)) error {
	fs := newFlags("train")
	cfg := train.Defaults()
	train.Bind(fs, &cfg)
	bf := addBackendFlags(fs, "auto")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: simclr-vk train [flags]\n\nSimCLR pre-training. Writes --out/config.json, metrics.jsonl, plot.png and checkpoints.\n"+
			"Ctrl-C stops after the current step with a checkpoint (a second Ctrl-C aborts at once).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags only; see --help)", fs.Args())
	}
	ck, err := train.Resolve(fs, &cfg)
	if err != nil {
		return err
	}
	if err := bf.check(); err != nil {
		return err
	}
	b, err := bf.open()
	if err != nil {
		return err
	}
	defer closeBackend(b)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	got := make(chan os.Signal, 1) // the first signal, once cancelled
	go func() {
		select {
		case s := <-sig:
			fmt.Fprintf(os.Stderr, "\n%v: stopping after this step and writing a checkpoint (again to abort at once)\n", s)
			got <- s
			cancel()
		case <-done:
			return
		}
		select {
		case s := <-sig:
			fmt.Fprintln(os.Stderr, "aborted; the last checkpoint written is untouched")
			abort(signalStatus(s))
		case <-done:
		}
	}()

	res, err := train.Run(ctx, b, cfg, train.Options{Log: out, TTY: metrics.IsTerminal(out), Resume: ck, Command: "simclr-vk train",
		MemoryLimit: deviceMemory(b)})
	if err != nil || !res.Interrupted {
		return err
	}
	var s os.Signal = syscall.SIGINT
	select {
	case s = <-got:
	default: // cancelled otherwise (cannot happen today): report it as SIGINT
	}
	return &exitError{code: signalStatus(s), err: fmt.Errorf("stopped by %s after saving %s; resume with: simclr-vk train --resume %s", signalName(s), res.Checkpoint, res.Out)}
}
