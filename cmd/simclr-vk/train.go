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
	fs := newFlags("train")
	cfg := train.Defaults()
	train.Bind(fs, &cfg)
	bf := addBackendFlags(fs, "auto")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: simclr-vk train [flags]\n\nSimCLR pre-training. Writes DIR/config.json, metrics.jsonl, plot.png and checkpoints.\n"+
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
	b, err := bf.open()
	if err != nil {
		return err
	}
	defer closeBackend(b)

	// First SIGINT/SIGTERM: finish the step, checkpoint, exit 0. Second:
	// exit at once (checkpoints are written to a temporary file and renamed,
	// so the last one is never half-written).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		s, ok := <-sig
		if !ok {
			return
		}
		fmt.Fprintf(os.Stderr, "\n%v: stopping after this step and writing a checkpoint (again to abort at once)\n", s)
		cancel()
		if _, ok := <-sig; ok {
			fmt.Fprintln(os.Stderr, "aborted; the last checkpoint written is untouched")
			os.Exit(130)
		}
	}()

	_, err = train.Run(ctx, b, cfg, train.Options{Log: os.Stdout, TTY: metrics.IsTerminal(os.Stdout), Resume: ck, Command: "simclr-vk train"})
	return err
}
