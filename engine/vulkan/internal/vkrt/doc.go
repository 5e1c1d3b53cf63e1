// Package vkrt is the Vulkan runtime under package vulkan's op families:
// the loader and shared instance (loader.go, instance.go), physical
// devices and their properties (devices.go, coopmat.go: the
// cooperative-matrix queries and features), the logical device (device.go),
// tensor memory (memory.go: blocks and free lists; memapi.go: New, Upload,
// Download, Release), the pipeline cache (pipeline.go), the command
// recorder with its automatic barriers and submits (recorder.go), the
// profiler (profile.go), host-time counters (hoststats.go), guard-band
// tensors for the tests (guard.go) and Dispatch (dispatch.go).
//
// An op family records a kernel with
//
//	rt.Dispatch(vkrt.Kernel{Shader: "name", Spec: ..., Push: &push,
//		Groups: rt.Grid1D(n, 256), Args: []vkrt.Arg{vkrt.Out(y), vkrt.In(x)}})
//
// and reads the device's limits (Limits, Info) for its plans; a family
// with state embeds Family (the runtime, the tensors' owner, Info and
// Limits) in its Ops. Tensors
// belong to Config.Owner, the engine.Backend that package vulkan's Device
// is; the runtime never imports an op family. Test hooks are fields of
// Config (PipelineFault), not globals.
package vkrt
