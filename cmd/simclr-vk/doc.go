// Command simclr-vk trains SimCLR image encoders on any Vulkan GPU or the
// CPU, evaluates them and exports them. Run `simclr-vk help` for commands.
//
// Each subcommand lives in its own file and registers itself from an init
// function: train.go (pre-training), eval.go (eval knn / eval linear),
// finetune.go, export.go / import.go (torchvision-named safetensors),
// embed.go (features as .npy), augment.go (a PNG grid of views),
// devices.go, and bench_*.go (bench gemm / conv / ntxent / step). The flags
// every computing command shares (--backend, --device, ...) are in
// backend.go.
package main
