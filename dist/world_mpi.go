//go:build mpi

package dist

import (
	"fmt"
	"os"

	"simclr-vk/internal/mpi"
)

// MPI reports whether this binary was built with the mpi tag.
const MPI = true

var (
	_ Comm            = mpiComm{}
	_ AsyncAllreducer = mpiComm{}
)

// mpiComm is *mpi.Comm with IallreduceSum returning a Request (internal/mpi
// does not import dist).
type mpiComm struct{ *mpi.Comm }

func (c mpiComm) IallreduceSum(buf []float32) (Request, error) {
	r, err := c.Comm.IallreduceSum(buf)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// World is the communicator of every process this program was started
// with. Built with the mpi tag and started by an MPI launcher (mpirun,
// mpiexec, srun), it initialises MPI and returns MPI_COMM_WORLD; call
// Finalize on it on every rank at the end. Started without a launcher it is
// Single and MPI is not initialised.
func World() (Comm, error) {
	l := DetectLaunch(os.Getenv)
	if !l.Launched() {
		return Single{}, nil
	}
	c, err := mpi.Init()
	if err != nil {
		return nil, fmt.Errorf("dist: started by an MPI launcher (%s), but %s did not start: %w", l.Var, mpi.Impl, err)
	}
	return mpiComm{c}, nil
}
