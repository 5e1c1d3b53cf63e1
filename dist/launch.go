package dist

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
)

// Launch is what the environment says about how this process was started:
// by an MPI launcher (mpirun, mpiexec, srun) as rank Rank of Size, or not.
type Launch struct {
	// Var names the variable that gave Size (or Rank where the launcher
	// exports no size); empty when no launcher was found.
	Var string
	// Size is the number of ranks the launcher started, 0 when unknown;
	// Rank is this process's rank, -1 when unknown.
	Size, Rank int
}

// Launched reports whether a launcher started this process.
func (l Launch) Launched() bool { return l.Var != "" }

// Multi reports whether the launcher started more than one rank (or this
// process is not rank 0, so there are others).
func (l Launch) Multi() bool { return l.Size > 1 || l.Rank > 0 }

// launchVars are the variables an MPI launcher exports to each rank:
// Open MPI's mpirun, MPICH's Hydra (and Slurm's PMI-2), PMIx (Open MPI 5,
// srun --mpi=pmix; no size variable), and srun's job-step variables (set in
// every task srun starts, not in an sbatch script itself).
var launchVars = []struct{ size, rank string }{
	{"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"},
	{"PMI_SIZE", "PMI_RANK"},
	{"", "PMIX_RANK"},
	{"SLURM_STEP_NUM_TASKS", "SLURM_PROCID"},
}

// DetectLaunch reads the launcher's variables through getenv (os.Getenv in
// a program, a map in a test).
func DetectLaunch(getenv func(string) string) Launch {
	for _, v := range launchVars {
		size, rank := "", getenv(v.rank)
		if v.size != "" {
			size = getenv(v.size)
		}
		switch {
		case size != "":
			return Launch{Var: v.size, Size: atoiOr(size, 0), Rank: atoiOr(rank, -1)}
		case v.size == "" && rank != "":
			return Launch{Var: v.rank, Rank: atoiOr(rank, -1)}
		}
	}
	return Launch{Rank: -1}
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return def
	}
	return n
}

// noMPIError is World's error in a binary built without MPI that a
// launcher started as one of several ranks: each would train alone and
// write the same output folder.
func noMPIError(l Launch) error {
	what := fmt.Sprintf("as one of %d ranks (%s=%d)", l.Size, l.Var, l.Size)
	if l.Size == 0 {
		what = fmt.Sprintf("as rank %d (%s)", l.Rank, l.Var)
	}
	return fmt.Errorf("dist: started by an MPI launcher %s, but %s was built without MPI: "+
		"run bin/simclr-vk-mpi (./build.sh build makes it where MPI is installed), "+
		"or start one process without mpirun/srun", what, filepath.Base(os.Args[0]))
}

// Fatal reports err on stderr, naming this rank, and ends the job: every
// rank through comm.Abort(1) (MPI_Abort) when there are several, this
// process with exit code 1 otherwise. A nil comm is a world of one. It does
// not return.
func Fatal(comm Comm, err error) {
	name := filepath.Base(os.Args[0])
	if comm == nil || comm.Size() <= 1 {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "%s: rank %d of %d: %v\n", name, comm.Rank(), comm.Size(), err)
	comm.Abort(1)
	os.Exit(1) // a Comm whose Abort returned
}

// Recover, deferred at the top of a rank's goroutine (main, and any other
// that may panic), turns a panic into Fatal: the panic's value and stack on
// stderr, naming the rank, and the end of every rank, where a plain panic
// would leave the launcher to notice the exit (MPICH's Hydra then names a
// PID, not the rank).
func Recover(comm Comm) {
	if p := recover(); p != nil {
		Fatal(comm, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
	}
}

// Finalize ends comm's use of the communication library (MPI_Finalize, a
// collective: every rank must call it, after its last collective). Single
// has nothing to end.
func Finalize(comm Comm) error {
	if f, ok := comm.(interface{ Finalize() error }); ok {
		return f.Finalize()
	}
	return nil
}
