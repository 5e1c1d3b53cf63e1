// Package modelio moves a layers.Model's weights in and out: the JSON
// architecture description stored with them, checkpoint tensors, and
// initialisation from torchvision-named safetensors files.
//
// # Architecture JSON
//
// ArchJSON(cfg) is what a checkpoint stores in Meta.Arch and what an export
// stores under the safetensors metadata key "simclr_vk_arch":
//
//	{"arch": "resnet18", "depth": 18, "stem": "cifar", "width": 1,
//	 "in_channels": 3, "feature_dim": 512, "image_size": 32,
//	 "head": {"layers": 2, "hidden": 512, "out": 128, "no_bias": false,
//	          "no_bn": false, "last_bn": false}}
//
// Defaults are resolved before writing (the file says what was built).
// image_size (ArchJSONImage) is the side of the training views, 0 when
// unknown; evaluation commands use it to refuse or resize datasets of another
// size. ParseArch accepts "arch" or only "depth" (18, 34, 50), and a missing
// head (the SimCLR v1 default).
//
// Descriptions come from files, so ParseArch bounds every field (0 is the
// default): width in (0, MaxWidth = 8], in_channels up to MaxInChannels
// (256), image_size up to MaxImageSize (8192), head layers up to
// MaxHeadLayers (8), head hidden and out up to MaxHeadDim (65536).
// StateSize counts the values (parameters and buffers) the encoder and the
// head of a configuration hold, without building it; before a model is
// built from a file's description (FromCheckpoint, ReadWeights with a
// recorded architecture, InferArch) that count may be at most 4 times the
// values the file holds plus 2^20, so one edited field in a small file
// cannot make the reader allocate and initialise a huge model (a smaller
// mismatch is reported by the loader, naming the tensors). A head the file
// lacks (initialised fresh) may exceed the encoder by at most 2^20 values.
//
// # Checkpoint tensors
//
// Tensors(m) downloads every entry of m.State(): parameters as Kind "param",
// BN running statistics as Kind "buffer", and each num_batches_tracked
// counter as a "buffer" with shape [] (one element, as in a torch state
// dict; checkpoints store float32, exact up to 2^24 batches). Load(m, ck) uploads them back. It is strict: a tensor the model has
// but the checkpoint lacks, a parameter or buffer the checkpoint has but the
// model lacks, or a shape mismatch is an error naming the tensor, both
// shapes, and a hint (the checkpoint's architecture, or the width or input
// channels its shapes imply). Optimizer tensors (Kind "optim") are ignored
// here (layers/optim restores them), and so is a classifier fc.* (the
// fine-tuned checkpoints of `simclr-vk finetune` carry one).
//
// FromCheckpoint(b, path) loads a checkpoint file or directory, builds the
// model its Meta.Arch describes and loads the weights; a file holding NaN
// or Inf loads with a warning in Checkpoint.Warnings (a directory skips
// such checkpoints).
//
// # Initialisation from other weights
//
// InitFrom(m, path) starts a model from weights that are not a training
// checkpoint of the same run: a safetensors file with torchvision state-dict
// names (an export of this tool, or torchvision's resnet converted with
// safetensors.torch.save_file) or a simclr-vk checkpoint. Every encoder
// tensor must be present. head.* tensors are loaded when the file has the
// whole head, else the head keeps its fresh initialisation. A classifier
// (fc.*) is ignored. Notes about what was ignored or kept are returned by
// InitFromNotes; InitFrom prints them to stderr. A path that is neither a
// regular file nor a directory (a FIFO) is refused without opening it.
package modelio
