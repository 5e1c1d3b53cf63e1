// Command simclr-vk trains SimCLR image encoders on any Vulkan GPU or the
// CPU, evaluates them and exports them. Run `simclr-vk help` for commands.
//
// Each subcommand lives in its own file, listed in main.go's command table:
// train.go (pre-training), eval.go (eval knn / eval linear),
// finetune.go, export.go / import.go (torchvision-named safetensors),
// embed.go (features as .npy), augment.go (a PNG grid of views),
// prepare.go (a dataset into one .svk file), devices.go, and bench_*.go
// (bench gemm / conv / ntxent / step / data).
//
// What the commands share, they take from one place: the flags of every
// computing command (--backend, --device, --threads, --coopmat, ...) and
// the start of a computing command, backendFlags.checkOpen (flag ranges,
// the memory check, opening the backend, the memory check again against
// the device's memory), are in backend.go; the checkpoint-and-dataset
// commands (eval, embed, finetune) share modelDataFlags, their preflight
// checks and openModelData (evalio.go); import and finetune --init-from
// share archFlags.readWeights and buildWeights (import.go). train's flags,
// which are simclr/train.Config's JSON keys, and their --config file and
// --resume defaults are in trainconfig.go.
//
// outputs.go guards outputs: checkOutputs refuses, before any
// work, an output that would replace an input (checkOutDir, a checkpoint
// directory holding the input checkpoint), and lockNewRunDir takes the
// internal/runlock lock of a directory that import and finetune save a
// checkpoint into and refuses one already holding checkpoints (train takes
// its own lock in simclr/train).
//
// train and bench step take their world from dist.World (several ranks
// under mpirun/srun in bin/simclr-vk-mpi): backendFlags.forRank picks the
// rank's device (a --device list by node-local rank, else the local rank's
// GPU) and threads (cores / local ranks), and inWorld turns a rank's error
// or panic into dist.Fatal (the job ends, naming the rank) and finalises
// MPI otherwise.
//
// Exit status: 0 success, 1 error, 2 usage; a train stopped by SIGINT or
// SIGTERM exits 130 or 143 after its checkpoint (an exitError from
// trainWithSignals, mapped by exitCode in main.go).
package main
