package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Helpers shared by the bench subcommands.

// parseImage parses HxWxC (e.g. 32x32x3).
func parseImage(s string) (h, w, c int, err error) {
	parts := strings.Split(strings.ToLower(s), "x")
	if len(parts) != 3 {
		return 0, 0, 0, fmt.Errorf("--image %q: want HxWxC, e.g. 32x32x3", s)
	}
	var v [3]int
	for i, p := range parts {
		if v[i], err = strconv.Atoi(p); err != nil || v[i] <= 0 {
			return 0, 0, 0, fmt.Errorf("--image %q: want HxWxC with positive integers", s)
		}
	}
	return v[0], v[1], v[2], nil
}

// median is the median of a sample (the mean of the middle two for an even
// count); v is not modified.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
