// Package knn is the weighted k-nearest-neighbour monitor of InstDisc (Wu
// et al. 2018), as used by lightly and solo-learn to track SimCLR training
// without labels in the loss.
//
// Features (the encoder output h, before the projection head, extracted
// with BatchNorm in inference mode) are L2-normalised. The bank is the
// training set's features with their labels. For each test feature:
//
//	sim_j   = <test, bank_j>            cosine similarity to every bank entry
//	top k   = the k = min(K, bank size) largest sim_j (K = 200 by default)
//	w_j     = exp(sim_j / T)            T = 0.1 by default
//	score_c = sum of w_j over the top-k neighbours with label c
//	pred    = argmax_c score_c
//
// Top-1 is the fraction of test images whose label equals pred; top-5 (only
// reported when there are more than 5 classes) the fraction whose label is
// among the 5 highest scores. Results are fractions in [0, 1].
//
// Exact tie-breaks (deterministic, unlike torch.topk): among neighbours of
// equal similarity the lower bank index is kept; among classes of equal
// score the lower class index ranks first (for top-1 and for top-5).
//
// Computation: the bank is uploaded and normalised on the engine once
// (Backend.L2NormalizeForward); test features are streamed in chunks,
// normalised on the engine and multiplied by the bank with one Backend.Gemm
// per chunk (C = test_chunk * bank^T). The chunk height is chosen so the
// similarity block stays under Options.MaxChunkBytes. Each similarity row is
// downloaded and its top k selected on the host with a size-k min-heap
// (O(N log k), no full sort), rows spread over GOMAXPROCS goroutines.
//
// Reference is the plain host implementation (full sort, float64) that the
// engine path is tested against.
package knn
