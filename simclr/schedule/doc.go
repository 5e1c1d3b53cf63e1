// Package schedule computes the SimCLR learning rate per optimizer step.
//
// The reference schedule (google-research/simclr) is a linear warm-up from 0
// over WarmupSteps steps followed by a cosine decay to 0 over the remaining
// steps, evaluated every step (never per epoch with a per-step length).
// The peak learning rate comes from a base rate and the batch size:
//
//	"linear": lr = base * B / 256   (reference base 0.3)
//	"sqrt":   lr = base * sqrt(B)   (reference base 0.075)
//	"none":   lr = base
//
// Usage:
//
//	peak, err := schedule.ScaledLR(0.075, "sqrt", 512)
//	s, err := schedule.NewCosine(peak, schedule.WarmupSteps(10, stepsPerEpoch), epochs*stepsPerEpoch)
//	for step := 0; step < s.Total; step++ { lr := s.LR(step); ... }
//
// Steps are 0-based: LR(0) is the rate of the first update.
package schedule
