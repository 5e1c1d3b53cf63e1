// Package train is the SimCLR training loop behind `simclr-vk train`: data
// loading with augmentation and prefetch, the model step, the optimizer and
// learning-rate schedule, progress and metrics, the kNN monitor, NaN/Inf
// guards, checkpoints and exact resume.
//
// # Configuration
//
// Config holds every setting; its JSON keys are the command-line flag names
// of `simclr-vk train`, so DIR/config.json, written at the start of every
// run with the image size and stem the data resolved, can be given back
// with --config. This package knows nothing of flags: the command
// (cmd/simclr-vk) maps them, the --config file and a resumed checkpoint's
// recorded configuration onto a Config and passes the loaded checkpoint in
// Options.Resume. Validate checks every value against its range (the Max*
// constants; floats finite) and refuses a model whose estimated
// parameters and optimizer state exceed the physical memory; Run repeats
// the memory check with the batch's activations once the data fixed the
// channels and image side, before it writes anything.
//
// # The loop
//
// Run opens the data (a fixed seeded subset when Subset > 0), builds the
// model (layers.NewModel) and optimizer (layers/optim), and for every
// optimizer step: takes the next (2N, C, H, W) batch from the augment
// Loader (views i and i+N of image i; the last short batch is dropped
// unless DropLast is false, and then the loss uses its actual N), runs
// Model.Step, checks the loss and the squared norm of all gradients for
// NaN/Inf, and applies the optimizer with the schedule's rate for that step
// (warm-up + cosine, evaluated per step).
//
// AugmentOn (--augment-on) says where the views are rendered: cpu, the
// Loader's workers (augment.Apply); gpu, the backend's device
// (engine.ViewAugmenter: the Loader only samples each view's Params and
// the step renders the (2N, C, S, S) tensor from the uint8 images, equal
// to the CPU's within float32 rounding, devaug.go); auto, the device when
// it is a GPU (Options.GPU, not lavapipe). With micro-batch chunks the
// device renders each chunk's views from that chunk's images when the
// chunked step needs them, once for each of its two forwards (the same
// descriptors give the same views; layers.Model.StepViews), so it never
// holds the whole batch's views. The images go up in pieces the device holds (engine.ViewAugmenter's
// AugmentLimit bytes each); a dataset whose largest image (data.Sized,
// read without decoding) is larger than one piece makes gpu fail before
// training and auto fall back to the workers with a note.
//
// MicroBatch (--micro-batch) steps in chunks of that many images
// (layers.Model.SetMicroBatch, gradient caching): the loss, the schedule
// and the LR scaling still see the whole batch N, BN statistics are per
// chunk, the batch goes to the device one chunk at a time
// (Model.StepHost, or rendered there a chunk at a time with gpu views) and
// the memory check counts one chunk's activations; "auto" measures the
// step's memory per image once the model is built
// (layers.Model.FitMicroBatch) and prints the chunk it chose for the
// device's memory (Options.MemoryLimit, else the physical memory), less
// the views: the batch's on the host and the device where the workers
// render them, else what rendering one chunk's views on the device holds
// (the views, DeviceViewBytes on the device, HostViewBytes on the host:
// one packed upload) for the chunk it picks. A step
// is atomic for interruption: the context is read between steps only.
//
// The learning-rate schedule always spans Epochs; MaxSteps only stops the
// run early (handy for a quick look at a real configuration, and how a run
// is stopped and resumed in the tests).
//
// # Monitoring
//
// A progress line per epoch (metrics.Progress: steps, loss, contrastive
// top-1, lr, images/s, share of time spent waiting for data, ETA),
// DIR/metrics.jsonl (a step record every LogEvery steps, an epoch record
// with the kNN accuracy per epoch) and DIR/plot.png, rewritten at each
// epoch end. The kNN monitor (simclr/knn: k = KNNK, temperature 0.1, cosine
// similarity on encoder features h taken in eval mode) runs before training
// (the random encoder, logged as epoch 0), every KNNEvery epochs and at the
// end, with the training images (at most KNNBank of them) as the bank and
// the test split (at most KNNSubset images) as queries. Unlabeled data
// skips it with a note.
//
// # Checkpoints and resume
//
// DIR/checkpoint-<step>.ckpt (simclr/checkpoint, keeping the last Keep)
// every SaveEvery epochs, at the end and on interruption: the model's
// parameters and buffers (simclr/modelio), the optimizer state (Kind
// "optim", torch names like "<param>.momentum_buffer") and step count, the
// epoch, step in the epoch and schedule position, the seed (the data order
// and every augmentation are pure functions of seed, epoch and image index,
// so no RNG stream has to be saved), the configuration and the
// architecture. Resuming restores all of it and skips the batches of the
// current epoch already done, so on the same device a resumed run produces
// the same losses and weights bit for bit as an uninterrupted one.
//
// Nothing non-finite is ever written: a NaN/Inf loss or gradient stops the
// run with an error naming the step, and the checkpoint writer also refuses
// tensors with NaN/Inf, so the last good checkpoint stays the newest.
//
// # Precision (--precision, precision.go)
//
// fp32 (the default) is float32 throughout. mixed is layers'
// PrecisionMixed: activations and their gradients rounded to float16 at
// the points listed in layers' doc, master weights, batch-norm
// statistics, the L2 normalisation, NT-Xent and the optimizer in float32.
// It is an EMULATION on every backend for now (float16 values in float32
// tensors, so no speed or memory gain; the log says so): the reference
// the float16-storage Vulkan kernels of issue #18 must equal. auto is fp32
// until those kernels exist. Mixed precision scales the loss dynamically
// (layers.LossScaler, PyTorch GradScaler's rule: start at 2^16, a step
// whose scaled gradients hold Inf/NaN is skipped and halves the scale,
// 2000 good steps double it); metrics.jsonl's step records carry
// loss_scale, skipped and skipped_steps, the checkpoint's extras the
// scaler, which a resume continues. A skipped step still consumes its
// batch and moves the learning-rate schedule on (as PyTorch's scheduler
// after a skipped optimizer step); only the optimizer update is left out. A NaN/Inf loss still stops the run,
// as do non-finite gradients at the smallest scale (layers.MinLossScale).
//
// Cancelling the context passed to Run (the command does it on SIGINT /
// SIGTERM) finishes the current step, writes a checkpoint and returns with
// Result.Interrupted set (the command then exits with 130 / 143).
//
// # Data-parallel training (Options.Comm)
//
// With a world of w ranks (dist.World under mpirun; dist.Local in the
// tests) every rank calls Run with the same configuration. BatchSize stays
// the global batch N: each rank's Loader (augment.LoaderConfig.Shards)
// loads and augments images r*n .. r*n+n-1 of every global batch, n = N/w,
// so data order, subset, views and initialisation are those of one rank
// and only float summation order depends on w. A batch (or a kept short
// last batch) that does not split, or BNGroups with GlobalBN, is refused on
// every rank before any work. The model is set up with layers.Parallel
// (GlobalBN, BNGroups); the learning rate is scaled with N. Rank 0 alone
// takes the run lock and writes config.json, metrics.jsonl, plot.png and
// checkpoints, logs (Options.Log is ignored elsewhere) and runs the kNN
// monitor; the other ranks wait for it in their next collective. Images/s
// are global, and each step's exposed communication time (Model.CommTime:
// the time the step was blocked on collectives, not the gradient
// all-reduce that ran behind the backward pass) is in the progress line,
// the epoch line and metrics.jsonl (comm_ms). A resume is
// read by every rank from the same file and checked with CheckInSync
// (also every SyncCheck steps); any world size resumes any checkpoint. The
// context's cancellation is summed over the ranks before every step, so
// all stop after the same step; the loss and gradients are global, so the
// NaN/Inf guards decide alike on every rank. A rank's error must end the
// job (the command calls dist.Fatal), since the others would wait for it.
//
// # The run directory
//
// Run owns its --out for its whole duration through internal/runlock: a
// second run (or import, finetune) on the same directory fails at once
// with an error naming the owner's pid. Every file is written atomically
// (a temporary file renamed over the name, which replaces a symbolic link
// planted there instead of writing through it); metrics.jsonl, appended
// to, refuses a symbolic link. A resumed run first cuts metrics.jsonl back
// to the step of the checkpoint it resumes (metrics.TrimLog), so after a
// kill and a resume each step is logged once, in order. An --out that is
// the --data directory or lies inside it is refused before anything is
// written (outsideData): an image folder would take plot.png for an image.
package train
