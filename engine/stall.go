package engine

// DownloadStaller is implemented by backends whose Download, while ops are
// queued, must first submit them and wait for the device to finish them
// (a GPU queue and a fence), so that the host stops recording ops until
// the queue has drained (the Vulkan backend). DownloadStalls reports
// whether that is so. The data-parallel step reads it to decide whether to
// download gradients in the middle of the backward pass to overlap their
// all-reduce with the rest of it (layers.OverlapAuto). A backend without
// the method (the CPU backend, whose ops are done when they return) does
// not stall.
type DownloadStaller interface {
	DownloadStalls() bool
}

// DownloadStalls reports whether b says its downloads stall its queue.
func DownloadStalls(b Backend) bool {
	s, ok := b.(DownloadStaller)
	return ok && s.DownloadStalls()
}
