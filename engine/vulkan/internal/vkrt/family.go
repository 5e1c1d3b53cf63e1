package vkrt

import (
	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/engine"
)

// Family is what an op family's Ops embed: the runtime it records on and
// the device facts its plans read, taken once at open.
type Family struct {
	RT    *Device
	Owner engine.Backend          // RT.Owner(): tensors must belong to it
	Info  DeviceInfo              // RT.Info()
	Limit vk.PhysicalDeviceLimits // RT.Limits()
}

// Family returns the base of an op family's Ops on d.
func (d *Device) Family() Family {
	return Family{RT: d, Owner: d.owner, Info: d.info, Limit: d.limit}
}
