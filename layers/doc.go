// Package layers is simclr-vk's graph layer: parameters and buffers with
// torchvision names, reverse-mode autodiff over the engine ops, the modules
// of a ResNet (Conv2d, BatchNorm, Linear, ReLU, MaxPool, GlobalAvgPool,
// Sequential, BasicBlock, Bottleneck), ResNet-18/34/50 encoders, the SimCLR
// projection head and the SimCLR model step. It uses only engine.Backend, so
// the same code trains on the CPU and on Vulkan.
//
// # Using it (training loop, kNN monitor, checkpoints, export)
//
//	m, err := layers.NewModel(b, layers.Config{
//		Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 1, InChannels: 3},
//		Head:    layers.HeadConfig{},   // v1: Linear(d,d)-BN1d-ReLU-Linear(d,128)
//		Seed:    1,
//	})
//	opt, err := optim.New(b, m.Params(), optim.Config{Kind: optim.LARS, WeightDecay: 1e-6})
//	for each batch x (2N, C, H, W) on the device, views i and i+N of image i:
//		loss, top1, err := m.Step(x, tau) // forward + NT-Xent + backward, one sync
//		opt.Step(lr)
//	m.Features(h, x)                      // eval-mode encoder features for kNN / export
//	for _, s := range m.State() { ... }    // s.Name, s.Tensor (nil for num_batches_tracked: s.Buffer.Count)
//
// EstimateParams, EstimateViewFloats (a training view, every activation
// kept for backward) and EstimateInferFloats (an eval-mode image, only the
// activations alive at once) size a configuration without building it (in
// float64, so absurd widths or sides cannot overflow): the commands refuse
// a model and batch that cannot fit in memory before any tensor is
// allocated.
//
// Model.Step leaves every Param.Grad filled with this step's gradient
// (overwritten, never accumulated across steps) and updates the BN running
// statistics and num_batches_tracked. Model.Loss and Model.Project are
// forward-only variants for tests. Loading a checkpoint is Upload into the
// tensors State() lists, plus Buffer.Count for the counters.
//
// # Data-parallel training (Model.SetParallel)
//
// With Parallel{Comm: c} of a world of w ranks, each rank calls Step on its
// own n images (2n views laid out as on one device; rank r holds global
// images r*n .. r*n+n-1 of the global batch N = n*w) and the step is the
// one a world of one takes on the global batch, up to float summation
// order (tested against it with dist.Local, layerstest.DataParallel):
//   - NT-Xent over the global 2N views: z is all-gathered and reordered to
//     the global layout; every rank runs the fused loss on all 2N rows and
//     keeps its own rows of dz, which include the terms where its rows are
//     negatives or positives of the other ranks' anchors (the all-gather's
//     backward is a sum, not a slice). Loss and top-1 are the global ones.
//   - GlobalBN: batch statistics over the global batch through the
//     engine's batch-norm-in-parts ops: the ranks' (mean, M2) all-gathered
//     and merged in float64 in the forward pass, the backward's two sums
//     all-reduced in float64 (host staging); running statistics identical
//     on every rank. Without it, per-device BN, with the running
//     statistics averaged over the ranks after each step. BNGroups gives
//     per-device BN's statistics to a world of one (groups of images, both
//     views).
//   - Gradients: each rank's gradient is a partial of the global loss's;
//     they are SUMMED over the ranks in host buckets (BucketFloats, 1 MiB
//     by default), so the parameters stay identical; Model.CheckInSync
//     compares StateHash across the ranks.
//   - The gradient all-reduce overlaps the backward pass (Parallel.Overlap,
//     gradSync): each recorded op lists the parameters whose gradients its
//     backward writes (entry.params), so Backward knows when a parameter's
//     gradient is final (after the backward of its first use in the
//     forward pass; with gradient caching, in the last chunk's backward
//     only). Buckets are packed in reverse parameter order, the order the
//     backward pass finishes them, and each is downloaded and its
//     all-reduce started (dist.AsyncAllreducer: MPI_Iallreduce) as soon
//     as its parameters are final, strictly in bucket order, so that the
//     ranks start the same collectives in the same order; after the pass
//     the step waits for them in order and uploads the sums. The sums are
//     the same as without overlap (bit for bit with dist.Local and with
//     two MPI ranks, where a+b = b+a; with three or more MPI ranks the
//     non-blocking and the blocking all-reduce may add in different
//     orders, every rank still getting the same bits). OverlapAuto
//     overlaps where the Comm has IallreduceSum and the backend's
//     downloads do not stall its queue (engine.DownloadStaller: the CPU
//     backend), and on one whose downloads stall (Vulkan) with global BN
//     only, whose backward pass syncs with the host in every BN layer
//     anyway (newGradSync); OverlapOff runs the blocking all-reduce after
//     the pass. The per-device BN running statistics are still averaged
//     after it.
//   - Model.CommTime adds up the time the step was blocked on these
//     collectives (waiting for the slowest rank included): the exposed
//     communication, training's per-step comm_ms; an all-reduce that ran
//     while the backward pass computed is not counted, only the time spent
//     starting it and waiting for it after the pass.
//
// # Batches larger than the memory (Model.SetMicroBatch)
//
// With SetMicroBatch(mb), Step on more than mb images is gradient caching
// (stepChunked): chunks of mb images (both views of each) are forwarded
// without recording and with the BN running statistics left alone
// (Tape.frozenStats) to get z (2N, d); the fused NT-Xent gives the loss
// and dz over all 2N rows (the gathered loss across ranks); each chunk is
// forwarded again, recorded, and back-propagated from its rows of dz, the
// chunks after the first adding to Param.Grad (Tape.accumulate). BN uses
// each chunk's statistics (global BN: over the ranks' corresponding
// chunks) and the running statistics move once per chunk: a step of K
// chunks applies K momentum updates (running <- (1-m)^K running + ...), as
// PyTorch's gradient accumulation over K micro-batches does, where the
// unchunked step applies one (momentum 0.1, K = 16: 81% of the old value
// forgotten per step instead of 10%); a PyTorch GradCache, whose no-grad
// first pass also runs BN in training mode, would apply 2K. Device memory
// is one chunk's activations plus z and dz (tested: 8 chunks peak below
// 1.3x one chunk's step); the images, z and dz travel through the host,
// or (Model.StepViews) a function renders each chunk's views on the
// device when the chunk is needed, once per forward.
// FitMicroBatch measures a step's memory per image and picks the largest
// chunk that fits a budget, with what the caller holds beside a chunk
// (such as the views it renders for it).
//
// # Architectures
//
// ResNetConfig: Arch resnet18 | resnet34 | resnet50 (torchvision layouts,
// Bottleneck v1.5 with the stride on the 3x3 conv), Stem imagenet (7x7/2 conv,
// BN, ReLU, 3x3/2 max-pool; default) or cifar (3x3/1 conv, BN, ReLU), Width
// multiplier on every stage (stage i has round(64 * 2^i * Width) planes, at
// least 1; Bottleneck outputs 4x planes), any InChannels (default 3). The
// encoder ends with global average pooling: h is (N, FeatureDim()), no
// classifier. BN: eps 1e-5, momentum 0.1 (PyTorch defaults; set
// BatchNorm.Eps / Momentum on the modules to change them). Initialisation
// (host RNG from Config.Seed, then Upload, identical on every backend):
// convs Kaiming normal fan_out, BN gamma 1 / beta 0 (gamma 0 on each
// block's last BN with ZeroInitResidual), Linear as torch's default.
//
// HeadConfig zero values give v1 as PyTorch ports write it: Linear(d, d) -
// BN1d - ReLU - Linear(d, 128), with biases. Layers 3 gives v2; NoBias and
// LastBN give the TF reference's head (no biases, last BN without beta);
// NoBN drops the hidden BNs; Hidden and Out set the widths.
//
// # Names
//
// Model.State() is the encoder's state dict with torchvision's resnet names
// (conv1.weight, bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var,
// bn1.num_batches_tracked, layer1.0.conv1.weight, layer2.0.downsample.0.weight,
// layer2.0.downsample.1.running_var, ...; no fc) followed by the head's, named
// like an nn.Sequential called "head" in which every module, ReLU included,
// takes an index: head.0.weight, head.0.bias (Linear d->d), head.1.weight,
// head.1.bias, head.1.running_mean, head.1.running_var,
// head.1.num_batches_tracked (BN1d), head.2 (ReLU, no state), head.3.weight,
// head.3.bias (Linear d->128) [, head.4.weight + running stats: the last BN,
// without bias, when HeadConfig.LastBN]. The order is state_dict order
// (per module: weight, bias, running_mean, running_var, num_batches_tracked).
// Every BN gamma/beta and every bias has Param.NoDecay set: optimizers
// exclude them from weight decay and LARS adaptation.
//
// # Autodiff: a tape, not a static graph
//
// Each forward op (Tape.Conv2D, BatchNormOp, Linear, MaxPool2D, AddReLU, ...)
// runs its engine op at once and appends an entry to the tape: its output
// Var, the input Vars whose values its backward needs, op-private tensors
// (BN batch statistics, max-pool argmax) and a closure calling the engine's
// backward ops. Tape.Backward replays the entries in reverse. The first
// gradient written into a Var or a Param overwrites it (the engine's
// backward ops overwrite their outputs); later ones go through a temporary
// and Add, which is how the residual shortcut's input accumulates the
// gradients of its two consumers.
//
// Why a tape: the modules stay ordinary Go code (a block's Forward is five
// lines and reads like torchvision's), eval / train / forward-only modes are
// the same code with recording switched off, and nothing has to be
// compiled or kept in sync with the modules. What a static graph would buy
// (memory planning, fusion, recording the whole step into one command
// buffer) is mostly obtained anyway: ops are asynchronous and queued by the
// backend, BN+ReLU are fused by Sequential and the blocks, and memory is
// planned implicitly by the pool below. The tape costs a few closures per op
// per step on the host, negligible next to the ops.
//
// # Mixed precision (Model.SetPrecision): the float16 rounding points
//
// With PrecisionMixed the model stores activations and activation
// gradients in float16 (llm.c / PyTorch AMP style). Model.SetMixedStorage
// chooses how: MixedStorageFloat16 allocates them as engine.Float16
// tensors where the backend has float16 storage (engine.Float16Support:
// Vulkan with 16-bit storage, and the CPU, whose float16 tensors hold
// float16 values in float32 memory), written by ops that round their
// float32 results once; MixedStorageRound, and the backends without
// float16 storage, hold every value in a float32 tensor rounded in place
// to the nearest float16 (the backend's RoundFloat16, engine.Float16Round
// per value: an emulation, no faster than float32). MixedStorageAuto (the
// default) is MixedStorageFloat16 where float16 tensors take half the
// memory (engine.Float16Packed) and MixedStorageRound on the CPU, where
// the float16 tensors save nothing and the float32 copies below cost
// time and memory.
// Both round at exactly these points, once each, so on the CPU they give
// the same bits (TestMixedStorageBitIdentical):
//
// Forward, stored activations (rounded once the op has written them):
//  1. the model's input images (a rounded copy; the caller's are kept);
//  2. every convolution output, after its bias (Conv2D);
//  3. every linear output, after its bias (Linear; the head's last one
//     included: z before the L2 normalisation);
//  4. every batch-norm output, after the fused ReLU (BatchNormOp, train
//     and eval): its statistics, mean, variance and running statistics
//     stay float32. Mixed precision runs every batch norm through the
//     engine's batch-norm-in-parts ops (batchNormOneGroup without split
//     BN, its statistics finished on the device by BatchNormFinish and
//     BatchNormBackwardFinish; eval: BatchNormApply with the running
//     statistics), whose statistics are rounded to float32 before the
//     normalisation where the fused ops keep them in float64: other bits
//     than float32 precision's fused ops, the same bits for both storages;
//  5. every residual sum after its ReLU, max(round(a + b), 0) =
//     round(max(a + b, 0)) (AddReLU);
//  6. the pooled features h (GlobalAvgPool).
//
// Exact without a rounding op (their inputs are float16 already): the
// unfused ReLU output and the max-pool output (selections of float16
// values).
//
// Matrix-product inputs: the weights of convolutions and linear layers
// are float32 masters; each forward and backward-data product reads a
// float16 copy of them, as the cooperative-matrix path rounds its inputs
// (engine.MatmulRounder); the activations and gradients it reads are
// float16 values already. Products accumulate in float32.
//
// Backward, activation gradients (rounded where Tape.gradDst hands them
// over): the gradient of every activation above (the input's is never
// computed), as each backward op writes it; where a value has two
// consumers (a residual block's input) each contribution is rounded and
// so is their sum. The ReLU masks and max-pool routing of float16 values
// are exact; the max-pool's overlapping-window sums, the average pool's
// dy/HW, the batch-norm dx, the convolution and linear dx are rounded.
//
// With float16 tensors, an op that reads float32 only (the L2
// normalisation) gets a float32 copy of its float16 operand and writes a
// float32 result (its dx: one Copy rounds it into the float16 tensor); a
// convolution or linear layer with a bias writes its product plus bias in
// float32 and rounds once (a float16 product would round twice). The
// batch-norm-in-parts ops, the ReLUs, the residual sums, the pools and
// the products without a bias take float16 operands.
// The copies are allocated and released at once, not pooled (see
// float32Of).
//
// Float32 throughout: the L2 normalisation's output z/||z|| and its
// gradient from NT-Xent (Var.f32), the NT-Xent loss, the batch-norm
// statistics and backward sums, every parameter gradient (weights, biases,
// gamma, beta: float32 products and sums of float16 operands), the
// master weights and the optimizer state.
//
// Loss scaling (SetLossScale, LossScaler): the gradient of the head's
// output, computed in float32 by the L2 normalisation's backward, is
// multiplied by the loss scale before its float16 rounding, so every
// activation and parameter gradient after it is scale times the true
// one; UnscaleGrads divides the parameter gradients back before the
// optimizer. LossScaler is PyTorch GradScaler's dynamic rule: start at
// 2^16, halve and skip the step when a gradient is Inf or NaN, double
// after 2000 good steps in a row.
//
// Tapes of one's own (fine-tuning, simclr/eval, runs the encoder's stages
// on a frozen and a training tape): Tape.SetPrecisionOf gives a tape the
// model's precision and storage, so that the modules round at the points
// above; ImageInput is rounding point 1. A classifier read by a float32
// loss is LossLinear: in mixed precision its logits are float32 (its
// product still reads the float16 features and a float16 copy of the
// weight), and its backward multiplies the loss's gradient by the tape's
// loss scale (Tape.SetLossScale) where L2Normalize's would, before the
// features' gradient is rounded; the package function UnscaleGrads divides
// the gradients of any parameter list back.
//
// # Memory
//
// Every activation, gradient and scratch tensor comes from a Pool keyed by
// dtype and element count. When Backward starts, values that no backward needs are
// returned to the pool; each entry's saved values, scratch tensors and its
// output's gradient are returned as soon as the entry has run, so the
// gradient of a block reuses the memory of the activations already
// consumed. Because every step asks for the same sizes in the same order,
// the pool reaches a steady state after the first step: later steps allocate
// nothing and MemStats.InUse / Peak do not grow (tested). Model.Trim gives
// the pooled memory back; Model.Release frees everything.
//
// When nothing is recorded (Model.Features in eval mode, Model.Loss), each
// op returns its inputs to the pool as soon as it has read them, except a
// residual block's input, which is pinned until the shortcut has read it:
// inference holds a few activations at a time (tested: well under a third
// of a training step's peak).
package layers
