//go:build !mpi

package dist

import "os"

// MPI reports whether this binary was built with the mpi tag.
const MPI = false

// World is the communicator of every process this program was started
// with. In a binary built without the mpi tag it is Single, unless an MPI
// launcher started this process as one of several ranks: then an error
// that says to run the MPI binary.
func World() (Comm, error) {
	if l := DetectLaunch(os.Getenv); l.Multi() {
		return nil, noMPIError(l)
	}
	return Single{}, nil
}
