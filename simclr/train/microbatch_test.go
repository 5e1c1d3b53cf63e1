package train

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestParseMicroBatch: 0, 1..batch and auto; anything else is an error
// naming the batch size.
func TestParseMicroBatch(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		auto bool
	}{{"", 0, false}, {"0", 0, false}, {"1", 1, false}, {"16", 16, false}, {"auto", 0, true}} {
		n, auto, err := ParseMicroBatch(c.s, 16)
		if err != nil || n != c.n || auto != c.auto {
			t.Errorf("%q: %d %v %v, want %d %v", c.s, n, auto, err, c.n, c.auto)
		}
	}
	for _, s := range []string{"-1", "17", "1e3", " 4", "AUTO"} {
		if _, _, err := ParseMicroBatch(s, 16); err == nil || !strings.Contains(err.Error(), "batch size 16") {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// TestMicroBatchAuto: --micro-batch auto under a 3 MiB device measures
// the step's memory per image, prints a chunk smaller than the batch of
// 16 and trains with it; with a gigabyte the whole batch fits (one chunk).
func TestMicroBatchAuto(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 8))
	cfg.MaxSteps = 1
	cfg.MicroBatch = "auto"
	re := regexp.MustCompile(`micro-batch auto: (\d+) of this process's 16 images per chunk`)
	for _, c := range []struct {
		limit uint64
		whole bool
	}{{3 << 20, false}, {1 << 30, true}} {
		res, log, err := runToy(t, context.Background(), cfg, Options{MemoryLimit: c.limit})
		if err != nil {
			t.Fatalf("limit %d: %v", c.limit, err)
		}
		m := re.FindStringSubmatch(log)
		if m == nil {
			t.Fatalf("limit %d: no micro-batch line in the log", c.limit)
		}
		n, _ := strconv.Atoi(m[1])
		if n < 1 || (n >= 16) != c.whole || res.GlobalStep != 1 {
			t.Errorf("limit %d: chunk of %d images (whole batch expected: %v), %d steps", c.limit, n, c.whole, res.GlobalStep)
		}
		cfg.Out += "2"
	}
}
