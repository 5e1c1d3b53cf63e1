// Package cpu is the pure-Go CPU backend of simclr-vk and the reference
// implementation of every op.
//
// Each op exists twice:
//   - a plain, boring reference function on float32 slices with the op's
//     name (cpu.Conv2DForward, cpu.Gemm, ...): the specification that every
//     other implementation, the Vulkan shaders included, is tested against;
//   - a method of *Backend with the same name implementing engine.Backend,
//     which may use a fast path (OpenBLAS loaded at run time, goroutine
//     parallel loops) that tests compare with the reference.
//
// The CPU backend runs ops synchronously: Flush only returns the sticky error.
package cpu
