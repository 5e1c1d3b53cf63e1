package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"simclr-vk/dist"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/metrics"
	"simclr-vk/simclr/train"
)

func runTrain(args []string) error {
	comm, err := dist.World()
	if err != nil {
		return err
	}
	return inWorld(comm, func() error {
		sig := make(chan os.Signal, 2)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sig)
		return trainOnRank(args, sig, os.Stdout, os.Exit, comm)
	})
}

// inWorld runs a command's body on one rank of comm. In a world of several
// ranks an error of this rank ends the job (dist.Fatal: MPI_Abort, with a
// message naming the rank), since the others would wait for it in their
// next collective; a panic too (dist.Recover). Success, an *exitError (a
// run stopped by a signal, on every rank at the same step) and a usage
// error or --help (the same on every rank) end MPI on every rank
// (dist.Finalize) and return.
func inWorld(comm dist.Comm, body func() error) error {
	defer dist.Recover(comm)
	err := body()
	if err != nil && comm.Size() > 1 && exitCode(err) == 1 {
		dist.Fatal(comm, err)
	}
	if ferr := dist.Finalize(comm); ferr != nil && err == nil {
		err = ferr
	}
	return err
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
	return trainOnRank(args, sig, out, abort, dist.Single{})
}

// trainOnRank is trainWithSignals on one rank of comm: it trains its part
// of each global batch, rank 0 logs and writes --out.
func trainOnRank(args []string, sig <-chan os.Signal, out *os.File, abort func(code int), comm dist.Comm) error {
	cfg, bf, ck, err := parseTrainFlags(args)
	if err != nil {
		return err
	}
	if err := bf.forRank(comm); err != nil {
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

	res, err := train.Run(ctx, b, cfg, train.Options{Log: out, TTY: metrics.IsTerminal(out), Resume: ck, Command: trainCommand(comm),
		MemoryLimit: deviceMemory(b), Comm: comm, GPU: gpuDevice(b)})
	if err != nil || !res.Interrupted {
		return err
	}
	var s os.Signal = syscall.SIGINT
	select {
	case s = <-got:
	default: // cancelled otherwise (cannot happen today): report it as SIGINT
	}
	if comm.Rank() != 0 { // rank 0 says where it saved
		return &exitError{code: signalStatus(s), err: fmt.Errorf("stopped by %s", signalName(s))}
	}
	return &exitError{code: signalStatus(s), err: fmt.Errorf("stopped by %s after saving %s; resume with: %s --resume %s", signalName(s), res.Checkpoint, trainCommand(comm), res.Out)}
}

// parseTrainFlags reads train's flags into a validated train.Config (see
// resolveTrainConfig) and the backend flags; ck is the checkpoint of
// --resume (nil otherwise).
func parseTrainFlags(args []string) (cfg train.Config, bf *backendFlags, ck *checkpoint.Checkpoint, err error) {
	fs := newFlags("train")
	cfg = train.Defaults()
	bindTrainFlags(fs, &cfg)
	bf = addBackendFlags(fs, "auto")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: simclr-vk train [flags]\n\nSimCLR pre-training. Writes --out/config.json, metrics.jsonl, plot.png and checkpoints.\n"+
			"Ctrl-C stops after the current step with a checkpoint (a second Ctrl-C aborts at once).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, nil, err
	}
	if fs.NArg() > 0 {
		return cfg, nil, nil, fmt.Errorf("unexpected arguments %q (flags only; see --help)", fs.Args())
	}
	if ck, err = resolveTrainConfig(fs, &cfg, bf); err != nil {
		return cfg, nil, nil, err
	}
	return cfg, bf, ck, bf.check()
}

// trainCommand is how the user runs training, for resume hints.
func trainCommand(comm dist.Comm) string {
	if comm.Size() > 1 {
		return fmt.Sprintf("mpirun -np %d simclr-vk-mpi train", comm.Size())
	}
	return "simclr-vk train"
}
