package tune

import (
	"fmt"
	"log"
	"simclr-vk/engine"
	"time"
)

// Service is the tuning service of one device, used by every op family
// that picks a kernel by measuring (GEMM shape classes, convolution
// problems): the mode, the on-disk cache of choices per problem key
// (Find, Store; cache.go), the notes and the time spent. Candidates are
// timed with a Timer; the agreement check is the caller's.
type Service struct {
	Mode   string // "auto": use cached choices; "refresh": measure again
	Path   string // cache file ("" when no cache directory is known)
	file   *File
	Notes  []string                         // the notes so far (tests read them)
	Logger func(format string, args ...any) // nil: the log package

	ConvAnnounced bool          // the "timing the convolution kernels" line was printed
	Spent         time.Duration // timing candidates (GEMM classes, convolutions), for Plans.TuneTime (package vulkan)

	// Corrupt (tests only) alters a candidate's output before the
	// agreement check, to prove that a wrong kernel is rejected.
	Corrupt func(kernel string, c *engine.Tensor)
}

// AddSpent adds the time since t0 to the tuning time (deferred by the
// measuring functions).
func (t *Service) AddSpent(t0 time.Time) { t.Spent += time.Since(t0) }

// Notef logs a note (corrupt cache, failed tuning) and keeps it for tests.
func (t *Service) Notef(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	t.Notes = append(t.Notes, msg)
	if t.Logger != nil {
		t.Logger("%s", msg)
	} else {
		log.Printf("engine/vulkan: %s", msg)
	}
}

// Logf prints a progress line (not a note: nothing went wrong).
func (t *Service) Logf(format string, args ...any) {
	if t.Logger != nil {
		t.Logger(format, args...)
		return
	}
	log.Printf(format, args...)
}
