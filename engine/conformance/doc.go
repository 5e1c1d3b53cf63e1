// Package conformance is the one test suite every backend runs (in the
// style of gonum's testblas): each op of engine.Backend is compared with the
// plain CPU reference in engine/cpu (the spec) on awkward sizes, with
// |got - want| <= atol + rtol*|want|, printing the first mismatches.
//
// A backend's test calls Run(t, backend). Op families register their cases
// from their own file with register(); run a single family or op with
// `go test -run 'Conformance/<Family>/<Case>'`.
package conformance
