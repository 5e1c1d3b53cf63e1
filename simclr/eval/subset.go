package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"simclr-vk/simclr/data"
)

// BalancedIndices picks a class-balanced fraction of ds: from each class c
// with n_c images, max(1, round(frac * n_c)) of them, chosen by a seeded
// permutation; the result is sorted. ds must be labelled.
func BalancedIndices(ds data.Dataset, frac float64, seed uint64) ([]int, error) {
	if !(frac > 0 && frac <= 1) {
		return nil, fmt.Errorf("eval: label fraction %g not in (0, 1]", frac)
	}
	if err := RequireLabels(ds); err != nil {
		return nil, err
	}
	byClass := make([][]int, ds.NumClasses())
	for i := range ds.Len() {
		l := ds.Label(i)
		byClass[l] = append(byClass[l], i)
	}
	var out []int
	for c, idx := range byClass {
		if len(idx) == 0 {
			continue
		}
		k := max(1, int(math.Round(frac*float64(len(idx)))))
		rng := rand.New(rand.NewPCG(seed, uint64(c)))
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		out = append(out, idx[:k]...)
	}
	sort.Ints(out)
	return out, nil
}
