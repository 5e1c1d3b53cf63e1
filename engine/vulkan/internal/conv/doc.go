// Package conv is the Vulkan op family of the convolutions:
// Conv2DForward, Conv2DBackwardData and Conv2DBackwardFilter as implicit
// GEMMs (register-blocked for CPU devices, shared-memory tiles and
// cooperative-matrix tiles for GPUs; conv.go), Winograd F(2x2,3x3) and
// F(4x4,3x3) with their transposes for the filter gradient (winograd.go),
// the kernel choice of each pass from Config.Variant or the table
// (plan.go), or measured per exact problem through the tuning service and
// cached with the GEMM classes (autotune.go; Plan and Kernel report it).
// Float16 activations (x, y, dy, dx stored as engine.Float16) run the _f16
// register-blocked and tiled kernels, and with cooperative matrices the
// _f16 cooperative-matrix tiles (the activations staged into the float16
// tiles unscaled, which needs a multiply that keeps their subnormals:
// SelfCheck16, run by package vulkan at open, and Config.NoCoopMat16 where
// it fails), never Winograd (conv16.go, coopmat16.go).
// Shaders is the family's kernel table.
//
// The family uses the GEMM family (internal/gemm) for Winograd's batched
// products and their class choice and for the cooperative-matrix input
// maxima, and the eltwise family for the filter gradient's partial sums
// and the tuner's reference copies; Config passes them with the shared
// *tune.Service. Package vulkan's Device makes it after the
// cooperative-matrix self-check and delegates to it (families.go).
//
// Tests force a kernel by making Ops on the same runtime with another
// Config.Variant (openTest, with), never by changing live Ops; package
// vulkan's TestConformanceConvTiled runs the conformance suite with each
// kernel forced through Options.ConvVariant.
package conv
