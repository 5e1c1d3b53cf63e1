//go:build mpi && !mpich

package mpi

// #cgo pkg-config: ompi-c
import "C"

// Impl names the MPI implementation this binary was compiled against.
const Impl = "Open MPI"
