package vkrt

import (
	"fmt"
	"reflect"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/engine"
)

// Arg is one storage-buffer binding of a dispatch: a tensor and whether the
// kernel writes it. Build them with In, Out and InOut.
type Arg struct {
	t     *engine.Tensor
	write bool
}

// In binds a tensor the kernel only reads.
func In(t *engine.Tensor) Arg { return Arg{t, false} }

// Out binds a tensor the kernel writes (and may read).
func Out(t *engine.Tensor) Arg { return Arg{t, true} }

// InOut is Out, spelled for tensors updated in place.
func InOut(t *engine.Tensor) Arg { return Arg{t, true} }

type boundArg struct {
	buf   vk.Buffer
	r     rng
	write bool
}

// Kernel is one dispatch: see package vulkan's documentation.
type Kernel struct {
	Shader string   // embedded shader name (shaders/<Shader>.spv)
	Spec   []uint32 // specialization constants: constant_id i = Spec[i]
	Push   any      // pointer to the push-constant struct (plain values), or nil
	Groups [3]int   // workgroup counts x, y, z (see grid1D)
	Args   []Arg    // bindings 0..n-1, in the shader's order
}

// Dispatch records k. Misuse (a released tensor, a push-constant struct
// too large, a grid beyond the device limits) panics; driver failures
// become the sticky error. Once there is a sticky error nothing more is
// recorded.
func (d *Device) Dispatch(k Kernel) {
	if d.closed {
		d.setErr(errClosed)
		return
	}
	binds := make([]boundArg, len(k.Args))
	for i, a := range k.Args {
		if a.t == nil {
			panic(fmt.Sprintf("engine/vulkan: %s: binding %d is nil", k.Shader, i))
		}
		if a.t.Backend() != d.owner {
			panic(fmt.Sprintf("engine/vulkan: %s: tensor %v belongs to backend %s", k.Shader, a.t, a.t.Backend().Name()))
		}
		if a.t.Released() {
			panic(fmt.Sprintf("engine/vulkan: %s: tensor %v was released", k.Shader, a.t))
		}
		al, ok := a.t.Storage.(*alloc)
		if !ok || al == nil {
			return // allocation failed: the sticky error says why
		}
		if al.bytes > uint64(d.limit.MaxStorageBufferRange) {
			d.setErr(fmt.Errorf("engine/vulkan: %s: tensor %v of %d bytes exceeds maxStorageBufferRange %d",
				k.Shader, a.t, al.bytes, d.limit.MaxStorageBufferRange))
			return
		}
		binds[i] = boundArg{buf: al.blk.buf, r: rng{al.blk.id, al.off, al.off + al.bytes}, write: a.write}
	}
	var push []byte
	if k.Push != nil {
		v := reflect.ValueOf(k.Push)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			panic(fmt.Sprintf("engine/vulkan: %s: push constants must be a pointer to a struct, got %T", k.Shader, k.Push))
		}
		size := v.Elem().Type().Size()
		if size > PushRangeSize || uint32(size) > d.limit.MaxPushConstantsSize {
			panic(fmt.Sprintf("engine/vulkan: %s: push constants of %d bytes exceed the %d-byte range (maxPushConstantsSize %d)",
				k.Shader, size, PushRangeSize, d.limit.MaxPushConstantsSize))
		}
		push = make([]byte, size)
		copy(push, unsafe.Slice((*byte)(v.UnsafePointer()), size))
	}
	var groups [3]uint32
	for i, g := range k.Groups {
		if g <= 0 {
			return // nothing to do
		}
		if uint64(g) > uint64(d.limit.MaxComputeWorkGroupCount[i]) {
			panic(fmt.Sprintf("engine/vulkan: %s: %d workgroups in dimension %d exceed maxComputeWorkGroupCount %d",
				k.Shader, g, i, d.limit.MaxComputeWorkGroupCount[i]))
		}
		groups[i] = uint32(g)
	}
	if d.err != nil {
		return
	}
	p, err := d.pipes.get(k.Shader, k.Spec, len(k.Args))
	if err != nil {
		d.setErr(err)
		return
	}
	if err := d.rec.dispatch(p, push, groups, binds); err != nil {
		d.setErr(err)
	}
}

// Grid1D returns the workgroup counts covering items items with per items
// per workgroup, spread over x and y within maxComputeWorkGroupCount. The
// shader's flat workgroup index is
// gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x and it must
// ignore indices past the end.
func (d *Device) Grid1D(items, per int) [3]int {
	if items <= 0 {
		return [3]int{0, 0, 0}
	}
	groups := CeilDiv(items, per)
	maxX := int(d.limit.MaxComputeWorkGroupCount[0])
	gx := min(groups, maxX)
	return [3]int{gx, CeilDiv(groups, gx), 1}
}

// CeilDiv is a/b rounded up (a >= 0, b > 0): the workgroup count of a
// dimension of a items with b per workgroup, for every family.
func CeilDiv(a, b int) int { return (a + b - 1) / b }
