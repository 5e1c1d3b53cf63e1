package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"simclr-vk/dist"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string) error
}

// commands are the subcommands, each in its own file (see doc.go); benches
// those of `simclr-vk bench`.
var commands = byName(
	command{"train", "SimCLR pre-training with kNN monitor, checkpoints and resume (the defaults are a few-minute CPU run on Fashion-MNIST)", runTrain},
	command{"eval", "evaluate a checkpoint: eval knn (weighted kNN) or eval linear (linear probe)", runEval},
	command{"finetune", "fine-tune a pre-trained encoder with a fraction of the labels (semi-supervised)", runFinetune},
	command{"export", "write a checkpoint's encoder (and head) as torchvision-named safetensors", runExport},
	command{"import", "turn torchvision-named weights (safetensors) into a simclr-vk checkpoint", runImport},
	command{"embed", "write the encoder features h of a dataset split as .npy (plus labels.npy)", runEmbed},
	command{"prepare", "convert a dataset (an image folder especially) into one .svk file of uint8 pixels at a bounded size, read through a memory map", runPrepare},
	command{"augment", "write a PNG grid of SimCLR views of a few images (check the augmentation)", runAugment},
	command{"devices", "list the Vulkan devices and the CPU backend", runDevices},
	command{"bench", "benchmarks: " + benchNames(), runBench},
)

var benches = byName(
	command{"gemm", "single-precision GEMM C = A*B in GFLOP/s (median of several timed batches)", runBenchGemm},
	command{"conv", "ResNet-18 convolution layers (forward, backward-data, backward-filter) in GFLOP/s", runBenchConv},
	command{"ntxent", "NT-Xent loss+gradient: fused vs unfused (Vulkan) or vs the full-matrix reference (CPU): ms, GFLOP/s, extra memory", runBenchNTXent},
	command{"data", "the data pipeline in images/s: read/decode, augment (on the CPU or the Vulkan device), and the training loader end to end", runBenchData},
	command{"step", "full SimCLR training step (forward, NT-Xent, backward, optimizer) in images/s", runBenchStep},
)

func byName(cs ...command) map[string]command {
	m := map[string]command{}
	for _, c := range cs {
		m[c.name] = c
	}
	return m
}

// errUsage is returned by commands after they printed their own usage.
var errUsage = errors.New("usage")

// exitError is an error with its own exit status (a run stopped by a
// signal: 128 + the signal's number, as shells report a death by it).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the status main exits with after err (nil: 0).
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage) || errors.Is(err, pflag.ErrHelp):
		return 2
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "simclr-vk: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if run, err := onRankZero(c.name, os.Args[2:], os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "simclr-vk %s: %v\n", c.name, err)
		os.Exit(1)
	} else if !run {
		return
	}
	if err := c.run(os.Args[2:]); err != nil {
		code := exitCode(err)
		if code != 2 {
			fmt.Fprintf(os.Stderr, "simclr-vk %s: %v\n", c.name, err)
		}
		os.Exit(code)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "simclr-vk: SimCLR self-supervised pre-training on Vulkan GPUs and the CPU")
	fmt.Fprintln(os.Stderr, "\nUsage: simclr-vk <command> [flags]   (simclr-vk <command> --help for its flags)")
	fmt.Fprintln(os.Stderr, "\nCommands:")
	for _, n := range slices.Sorted(maps.Keys(commands)) {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
}

func benchNames() string { return strings.Join(slices.Sorted(maps.Keys(benches)), ", ") }

func runBench(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, "Usage: simclr-vk bench <what> [flags]\n\nBenchmarks:")
		for _, n := range slices.Sorted(maps.Keys(benches)) {
			fmt.Fprintf(os.Stderr, "  %-8s %s\n", n, benches[n].summary)
		}
		return errUsage
	}
	c, ok := benches[args[0]]
	if !ok {
		return fmt.Errorf("unknown benchmark %q (have: %s)", args[0], benchNames())
	}
	return c.run(args[1:])
}

// newFlags returns a flag set for a subcommand whose errors are returned,
// not fatal.
func newFlags(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("simclr-vk "+name, pflag.ContinueOnError)
	fs.SortFlags = false
	return fs
}

// onRankZero says whether a command that is not data-parallel (all but
// train and bench step) should run in this process: under an MPI launch of
// several ranks it runs on rank 0 alone and the other ranks exit at once
// (each would otherwise do the whole work and write the same outputs); a
// launch whose rank is unknown is refused.
func onRankZero(name string, args []string, getenv func(string) string) (bool, error) {
	if name == "train" || name == "bench" && len(args) > 0 && args[0] == "step" {
		return true, nil
	}
	l := dist.DetectLaunch(getenv)
	switch {
	case !l.Multi() || l.Rank == 0:
		return true, nil
	case l.Rank > 0:
		return false, nil
	}
	return false, fmt.Errorf("started by an MPI launcher as one of %d ranks (%s) whose rank is unknown: %s runs on one process; run it without mpirun/srun", l.Size, l.Var, name)
}
