// Package eval measures and adapts a pre-trained SimCLR encoder with labels:
// feature extraction, the linear probe and semi-supervised fine-tuning (Chen
// et al. 2020, sections 4.2 and B.5). The kNN monitor itself is
// simclr/knn; Extract feeds it.
//
// # Inputs
//
// CheckInput refuses a dataset whose channel count differs from the
// encoder's, and one whose image size differs from the size the checkpoint
// was trained on (unless a size is forced: images are then centre-cropped
// and resized, as augment.NewEvalLoader does). RequireLabels refuses
// unlabelled data (a missing label file) before any work starts.
//
// # Features
//
// Extract runs the encoder in eval mode (BatchNorm with running statistics)
// over a dataset in order, in batches, and returns h (N, D) on the host with
// the labels.
//
// # Linear probe
//
// LinearProbe freezes the encoder and trains a linear classifier
// (torch.nn.Linear(D, classes), zero-initialised) on h with softmax
// cross-entropy, entirely on the backend: Tape.Linear (Gemm + bias), the
// engine's SoftmaxCrossEntropy (forward and gradient), the backward Gemms and
// SGDStep with Nesterov momentum 0.9, no weight decay, learning rate
// 0.1 * B / 256 (linear scaling) on a cosine schedule without warm-up, 90
// epochs by default. Batches are shuffled each epoch (seeded); the last,
// shorter batch is kept.
//
// Without Aug the features of both splits are computed once and cached on
// the host: (N_train + N_test) * D * 4 bytes, e.g. 123 MB for CIFAR-10 with
// ResNet-18 (D = 512), 491 MB with ResNet-50 (D = 2048); each step uploads
// one batch (B * D floats). With Aug every epoch recomputes the training
// features from random resized crops (scale 0.08-1) and horizontal flips
// (the paper's linear-eval augmentation), costing a forward pass of the
// encoder per image per epoch (one view per image: LoaderConfig.Views 1);
// only the test features are cached. Train accuracy is always measured on
// un-augmented training images.
//
// # Fine-tuning
//
// FineTune trains the encoder from a chosen stage on (0: everything, 1-4:
// layer1..layer4 and later, earlier stages frozen and run in eval mode; 5:
// only the classifier) together with a new classifier on h ("fc", as
// torchvision names it, torch's default init) with cross-entropy, on a
// class-balanced fraction of the training set (BalancedIndices): SGD with
// Nesterov momentum 0.9, learning rate 0.05 * B / 256, no weight decay,
// cosine schedule, random crops and flips only, as the paper's
// semi-supervised results (30 epochs for 10 % of the labels, 60 for 1 %).
// Trained stages use batch statistics and update their running statistics.
//
// # Precision
//
// Extract, KNN and LinearProbe run the encoder at the model's precision
// (layers.Model.SetPrecision): in mixed precision the features are the
// float16-rounded h of the emulation, as the training run's kNN monitor
// computes them, and the linear classifier trains in float32 on them (a
// frozen encoder needs no loss scaling).
//
// FineTune trains at the model's precision too. In mixed precision its
// frozen and training tapes take the model's precision and storage
// (layers.Tape.SetPrecisionOf), so every stage rounds its activations and
// activation gradients to float16 where the model's own steps do (the
// images included: layers.Tape.ImageInput); the classifier writes float32
// logits and the cross-entropy is float32 (layers.Tape.LossLinear, as
// NT-Xent in training); the cross-entropy's gradient is multiplied by a
// dynamic loss scale (layers.LossScaler, PyTorch GradScaler's rule, from
// FineTuneConfig.InitLossScale, default 2^16) where it enters the
// classifier, and each step is simclr/train's: gradients with Inf or NaN
// skip the optimizer step and halve the scale (a skipped step keeps its
// place in the learning-rate schedule; trained batch norms have still
// updated their running statistics, as in PyTorch), finite ones are
// divided back (layers.UnscaleGrads) before SGD. FineTuneResult reports
// the precision, the steps skipped and the final scale. On the CPU this is
// the float16 emulation (no faster than float32). Where the scaled
// gradients overflow float16 at 2^16 the first steps are skipped until the
// scale has backed off, as GradScaler's are. The test accuracy is then scored as LinearProbe scores: the encoder's mixed
// features, the classifier in float32.
//
// # Accuracy
//
// Top-1 / top-5 follow the kNN monitor's tie-break: classes of equal score
// rank by lower index. Top-5 is reported only with more than 5 classes.
package eval
