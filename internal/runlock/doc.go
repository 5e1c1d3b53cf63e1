// Package runlock gives one process at a time the ownership of a run
// directory (a directory that a command writes checkpoints, logs or
// results into).
//
// Acquire takes an advisory flock(2) on the file LockFile inside the
// directory and writes the owner's pid, command line and start time into
// it, so that a second process refused by the lock can name the owner in
// its error. The kernel drops the flock when the owner exits for any reason
// (SIGKILL and power loss included: the file is then stale), so a lock file
// left behind is never mistaken for a live owner: a file nobody holds a
// flock on is taken over, and Lock.Stale reports the previous owner's pid
// when its content named one. Release removes the file and drops the
// flock. The lock file is opened with O_NOFOLLOW: a symbolic link planted
// under its name is refused, never followed.
//
// Locks are per open file description, so two Acquire calls in one process
// exclude each other as two processes do. The package needs flock(2) (Linux
// and the other Unix systems).
package runlock
