package train

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/checkpoint"
)

// checkWorld refuses, on every rank alike and before any work, a global
// batch that does not split over the ranks (nor into the BN groups), and
// options that contradict each other; rank 0 says how the batch is split.
func (r *run) checkWorld(ck *checkpoint.Checkpoint) error {
	cfg, w := r.cfg, r.comm.Size()
	n := r.train.Len()
	if err := augment.CheckShards(n, cfg.BatchSize, w, cfg.DropLast); err != nil {
		return fmt.Errorf("--batch-size (the global batch, over %d ranks): %w", w, err)
	}
	if g := cfg.BNGroups; g > 1 {
		if w > 1 && cfg.GlobalBN {
			return fmt.Errorf("--bn-groups %d with --global-bn on %d ranks: choose one (--global-bn=false for per-rank BN groups)", g, w)
		}
		if err := augment.CheckShards(n, cfg.BatchSize, w*g, cfg.DropLast); err != nil {
			return fmt.Errorf("--bn-groups %d on %d ranks (%d groups in all): %w", g, w, w*g, err)
		}
	}
	if err := r.sameOnEveryRank(ck); err != nil {
		return err
	}
	if w > 1 {
		bn := "global BN (statistics over the global batch)"
		if !cfg.GlobalBN {
			bn = "per-rank BN (--global-bn=false)"
		}
		fmt.Fprintf(r.log, "data-parallel: %d ranks x %d images = global batch %d, %s; rank 0 logs, writes --out and runs the kNN monitor\n",
			w, cfg.BatchSize/w, cfg.BatchSize, bn)
	}
	return nil
}

// sameOnEveryRank refuses, on every rank, a world whose ranks would train
// different things: their training options, the data's size and shape and
// the step resumed from are hashed and the hashes all-gathered, so every
// rank sees which ranks differ from rank 0 (a rank alone with the error
// would leave the others waiting in the next collective). What may differ
// per rank is left out: the device, the data path (another mount point),
// the augmentation workers, and what only rank 0 does (--out, logging,
// checkpoints, the kNN monitor).
func (r *run) sameOnEveryRank(ck *checkpoint.Checkpoint) error {
	w := r.comm.Size()
	if w == 1 {
		return nil
	}
	c := r.cfg
	c.Data, c.Device, c.Workers, c.Out = "", "", 0, ""
	c.LogEvery, c.SaveEvery, c.Keep = 0, 0, 0
	c.KNNEvery, c.KNNK, c.KNNT, c.KNNSubset, c.KNNBank = 0, 0, 0, 0, 0
	h := fnv.New64a()
	h.Write(c.JSON())
	ch, ih, iw := r.train.Shape()
	step := int64(-1)
	if ck != nil {
		step = ck.Meta.GlobalStep
	}
	fmt.Fprintf(h, "|%d %d %d %d|%d", r.train.Len(), ch, ih, iw, step)
	sum := h.Sum64()
	// Four 16-bit pieces: exact in float32, the type the collectives carry.
	send := make([]float32, 4)
	for i := range send {
		send[i] = float32(sum >> (16 * i) & 0xffff)
	}
	all := make([]float32, 4*w)
	if err := r.comm.Allgather(send, all); err != nil {
		return fmt.Errorf("data-parallel: comparing the ranks' options: %w", err)
	}
	var differ []string
	for q := 1; q < w; q++ {
		if !slices.Equal(all[4*q:4*q+4], all[:4]) {
			differ = append(differ, strconv.Itoa(q))
		}
	}
	if len(differ) > 0 {
		who := "rank " + differ[0] + " differs"
		if len(differ) > 1 {
			who = "ranks " + strings.Join(differ, ", ") + " differ"
		}
		return fmt.Errorf("data-parallel: %s from rank 0 in training options, data (size or image shape) or the checkpoint resumed, its data (size or image shape) or the checkpoint it resumes: start every rank with the same flags and data", who)
	}
	return nil
}
