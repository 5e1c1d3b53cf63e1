package vkrt

/*
#include <stdlib.h>
*/
import "C"

import (
	"fmt"
	"runtime"
	"strconv"
	"time"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/shaders"
)

// Pipelines are created lazily from the embedded SPIR-V, one per (shader,
// specialization constants), and cached for the Device's life. Every kernel
// uses descriptor set 0 with bindings 0..n-1 all storage buffers, and one
// push-constant range of PushRangeSize bytes; the pipeline layout is shared
// by every kernel with the same number of bindings.

// PushRangeSize is the push-constant range of every pipeline layout: the
// 128 bytes every Vulkan device guarantees.
const PushRangeSize = 128

type layout struct {
	set  vk.DescriptorSetLayout
	pipe vk.PipelineLayout
}

type pipeline struct {
	name   string
	h      vk.Pipeline
	layout *layout
}

type pipelineCache struct {
	d       *Device
	layouts map[int]*layout
	modules map[string]vk.ShaderModule
	pipes   map[string]*pipeline
	keyBuf  []byte // get's key, reused
}

func newPipelineCache(d *Device) *pipelineCache {
	return &pipelineCache{d: d, layouts: map[int]*layout{}, modules: map[string]vk.ShaderModule{}, pipes: map[string]*pipeline{}}
}

func (pc *pipelineCache) layout(n int) (*layout, error) {
	if l, ok := pc.layouts[n]; ok {
		return l, nil
	}
	d := pc.d
	binds := make([]vk.DescriptorSetLayoutBinding, n)
	for i := range binds {
		binds[i] = vk.DescriptorSetLayoutBinding{
			Binding:         uint32(i),
			DescriptorType:  vk.DescriptorTypeStorageBuffer,
			DescriptorCount: 1,
			StageFlags:      vk.ShaderStageFlags(vk.ShaderStageComputeBit),
		}
	}
	sci := &vk.DescriptorSetLayoutCreateInfo{SType: vk.StructureTypeDescriptorSetLayoutCreateInfo, BindingCount: uint32(n), PBindings: binds}
	var set vk.DescriptorSetLayout
	res := vk.CreateDescriptorSetLayout(d.dev, sci, nil, &set)
	sci.Free()
	if res != vk.Success {
		return nil, vkErr("vkCreateDescriptorSetLayout", res)
	}
	pci := &vk.PipelineLayoutCreateInfo{
		SType:                  vk.StructureTypePipelineLayoutCreateInfo,
		SetLayoutCount:         1,
		PSetLayouts:            []vk.DescriptorSetLayout{set},
		PushConstantRangeCount: 1,
		PPushConstantRanges: []vk.PushConstantRange{{
			StageFlags: vk.ShaderStageFlags(vk.ShaderStageComputeBit),
			Offset:     0,
			Size:       PushRangeSize,
		}},
	}
	var pl vk.PipelineLayout
	res = vk.CreatePipelineLayout(d.dev, pci, nil, &pl)
	pci.Free()
	if res != vk.Success {
		vk.DestroyDescriptorSetLayout(d.dev, set, nil)
		return nil, vkErr("vkCreatePipelineLayout", res)
	}
	l := &layout{set: set, pipe: pl}
	pc.layouts[n] = l
	return l, nil
}

func (pc *pipelineCache) module(name string) (vk.ShaderModule, error) {
	if m, ok := pc.modules[name]; ok {
		return m, nil
	}
	code, err := shaders.SPIRV(name)
	if err != nil {
		return vk.NullShaderModule, fmt.Errorf("engine/vulkan: %w", err)
	}
	ci := &vk.ShaderModuleCreateInfo{SType: vk.StructureTypeShaderModuleCreateInfo, CodeSize: uint(4 * len(code)), PCode: code}
	var m vk.ShaderModule
	res := vk.CreateShaderModule(pc.d.dev, ci, nil, &m)
	ci.Free()
	runtime.KeepAlive(code)
	if res != vk.Success {
		return vk.NullShaderModule, vkErr("vkCreateShaderModule "+name, res)
	}
	pc.modules[name] = m
	return m, nil
}

// appendPipeKey appends the cache key of (name, spec, n) to b:
// "name/n,spec0,spec1,...".
func appendPipeKey(b []byte, name string, spec []uint32, n int) []byte {
	b = append(b, name...)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(n), 10)
	for _, s := range spec {
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(s), 10)
	}
	return b
}

// get returns the pipeline of shader name with specialization constants
// spec (constant_id i = spec[i]) and n storage-buffer bindings. It runs on
// every dispatch: a cache hit builds the key in a reused buffer and looks it
// up without allocating.
func (pc *pipelineCache) get(name string, spec []uint32, n int) (*pipeline, error) {
	pc.keyBuf = appendPipeKey(pc.keyBuf[:0], name, spec, n)
	if p, ok := pc.pipes[string(pc.keyBuf)]; ok {
		return p, nil
	}
	key := string(pc.keyBuf)
	if pc.d.pipelineFault != nil {
		if err := pc.d.pipelineFault(name); err != nil {
			return nil, err
		}
	}
	l, err := pc.layout(n)
	if err != nil {
		return nil, err
	}
	m, err := pc.module(name)
	if err != nil {
		return nil, err
	}
	stage := vk.PipelineShaderStageCreateInfo{
		SType:  vk.StructureTypePipelineShaderStageCreateInfo,
		Stage:  vk.ShaderStageComputeBit,
		Module: m,
		PName:  "main\x00",
	}
	var data unsafe.Pointer
	if len(spec) > 0 {
		// The constants live in C memory for the duration of the call.
		data = C.malloc(C.size_t(4 * len(spec)))
		defer C.free(data)
		words := unsafe.Slice((*uint32)(data), len(spec))
		copy(words, spec)
		entries := make([]vk.SpecializationMapEntry, len(spec))
		for i := range entries {
			entries[i] = vk.SpecializationMapEntry{ConstantID: uint32(i), Offset: uint32(4 * i), Size: 4}
		}
		stage.PSpecializationInfo = []vk.SpecializationInfo{{
			MapEntryCount: uint32(len(spec)),
			PMapEntries:   entries,
			DataSize:      uint(4 * len(spec)),
			PData:         data,
		}}
	}
	ci := []vk.ComputePipelineCreateInfo{{
		SType:  vk.StructureTypeComputePipelineCreateInfo,
		Stage:  stage,
		Layout: l.pipe,
	}}
	out := make([]vk.Pipeline, 1)
	t0 := time.Now()
	res := vk.CreateComputePipelines(pc.d.dev, vk.NullPipelineCache, 1, ci, nil, out)
	pc.d.host.Pipelines++
	pc.d.host.PipelineTime += time.Since(t0)
	if res != vk.Success {
		return nil, vkErr("vkCreateComputePipelines "+key, res)
	}
	p := &pipeline{name: name, h: out[0], layout: l}
	pc.pipes[key] = p
	return p, nil
}

func (pc *pipelineCache) destroy() {
	d := pc.d
	for _, p := range pc.pipes {
		vk.DestroyPipeline(d.dev, p.h, nil)
	}
	for _, m := range pc.modules {
		vk.DestroyShaderModule(d.dev, m, nil)
	}
	for _, l := range pc.layouts {
		vk.DestroyPipelineLayout(d.dev, l.pipe, nil)
		vk.DestroyDescriptorSetLayout(d.dev, l.set, nil)
	}
	pc.pipes, pc.modules, pc.layouts = nil, nil, nil
}
