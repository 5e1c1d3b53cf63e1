package engine

import (
	"strings"
	"testing"
)

// TestCheckShapeOverflow: a shape whose element count wraps an int (the
// product of dimensions read from a hostile file, say) is refused by name,
// never turned into a small or negative count.
func TestCheckShapeOverflow(t *testing.T) {
	for _, shape := range [][]int{{1 << 32, 1 << 32}, {3, 1 << 62}, {1 << 31, 1 << 31, 4}} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), "more elements than an int holds") {
					t.Errorf("CheckShape(%v): recovered %v, want the overflow panic", shape, r)
				}
			}()
			CheckShape("test", shape)
		}()
	}
	if n := CheckShape("test", []int{3, 5, 7}); n != 105 {
		t.Errorf("CheckShape(3,5,7) = %d, want 105", n)
	}
}
