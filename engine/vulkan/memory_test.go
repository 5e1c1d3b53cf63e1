package vulkan_test

import (
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan"
)

func TestAllocatorReuseAlignmentStats(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	align := d.Alignment()
	base := d.MemStats()
	a := d.New(3)    // 12 bytes
	b := d.New(1000) // 4000 bytes
	c := d.New(13)
	for _, x := range []*engine.Tensor{a, b, c} {
		if _, off, _ := d.Placement(x); off%align != 0 {
			t.Errorf("%v at offset %d, not aligned to %d", x, off, align)
		}
	}
	st := d.MemStats()
	wantInUse := int64(roundUp(12, align) + roundUp(4000, align) + roundUp(52, align))
	if st.InUse-base.InUse != wantInUse || st.Tensors-base.Tensors != 3 {
		t.Errorf("InUse +%d Tensors +%d, want +%d +3", st.InUse-base.InUse, st.Tensors-base.Tensors, wantInUse)
	}
	if st.Peak < st.InUse || st.Reserved < st.InUse {
		t.Errorf("stats %+v: Peak and Reserved must be >= InUse", st)
	}
	// Reuse after release: b's range serves a tensor of the same size.
	blk, off, _ := d.Placement(b)
	b.Release()
	if got := d.MemStats().InUse; got != st.InUse-int64(roundUp(4000, align)) {
		t.Errorf("InUse after release %d", got)
	}
	b2 := d.New(1000)
	if blk2, off2, _ := d.Placement(b2); blk2 != blk || off2 != off {
		t.Errorf("released range not reused: (%d, %d), was (%d, %d)", blk2, off2, blk, off)
	}
	// New zero-fills reused memory.
	d.Fill(b2, 7)
	b2.Release()
	b3 := d.New(1000)
	for i, v := range download(t, d, b3) {
		if v != 0 {
			t.Fatalf("reused tensor not zeroed: [%d] = %g", i, v)
		}
	}
	// Coalescing: a, b3, c released leave one range big enough for all.
	peak := d.MemStats().Peak
	for _, x := range []*engine.Tensor{a, b3, c} {
		x.Release()
	}
	big := d.New(int(roundUp(12, align)+roundUp(4000, align)+roundUp(52, align)) / 4)
	if blk2, off2, _ := d.Placement(big); blk2 != blk || off2 != 0 && off2 > off {
		t.Logf("coalesced range at block %d offset %d", blk2, off2)
	}
	big.Release()
	if d.MemStats().Peak != peak && d.MemStats().Peak < peak {
		t.Errorf("Peak decreased")
	}
	d.ResetPeak()
	if st := d.MemStats(); st.Peak != st.InUse {
		t.Errorf("after ResetPeak: %+v", st)
	}
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
}

func roundUp(x, a uint64) uint64 { return (x + a - 1) / a * a }

// TestAllocatorCoalescing: after releasing adjacent tensors, one tensor of
// their combined size lands at the first one's offset.
func TestAllocatorCoalescing(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	align := d.Alignment()
	n := int(align) // elements: 4*align bytes each, a multiple of align
	x := []*engine.Tensor{d.New(n), d.New(n), d.New(n), d.New(n)}
	blk0, off0, _ := d.Placement(x[0])
	for i := 1; i < 4; i++ {
		if blk, off, _ := d.Placement(x[i]); blk != blk0 || off != off0+uint64(4*n*i) {
			t.Fatalf("tensor %d at (%d, %d), want back to back after (%d, %d)", i, blk, off, blk0, off0)
		}
	}
	x[1].Release()
	x[0].Release()
	x[2].Release() // [0,3) is now one free range
	y := d.New(3 * n)
	if blk, off, _ := d.Placement(y); blk != blk0 || off != off0 {
		t.Errorf("3n tensor at (%d, %d), want the coalesced range at (%d, %d)", blk, off, blk0, off0)
	}
	y.Release()
	x[3].Release()
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestMemStatsStableOverCycles: repeated alloc/release cycles (with work
// queued on the tensors) must not grow the reserved memory.
func TestMemStatsStableOverCycles(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	base := d.MemStats()
	cycle := func() {
		var ts []*engine.Tensor
		for _, n := range []int{1, 3, 13, 127, 4096, 65537, 3} {
			x := d.New(n)
			d.Fill(x, 1)
			ts = append(ts, x)
		}
		for i := len(ts) - 1; i >= 0; i -= 2 {
			ts[i].Release()
		}
		for i := len(ts) - 2; i >= 0; i -= 2 {
			ts[i].Release()
		}
	}
	cycle()
	after1 := d.MemStats()
	for i := 0; i < 50; i++ {
		cycle()
	}
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	st := d.MemStats()
	if st.Reserved != after1.Reserved || st.InUse != base.InUse || st.Tensors != base.Tensors {
		t.Errorf("after 50 cycles %+v; after 1 cycle %+v; base %+v", st, after1, base)
	}
}

// TestBigTensorOwnBlock: a tensor larger than a block gets its own block;
// released, the block is kept for the next tensor of about its size
// (Reserved unchanged, no new block), EmptyCache returns it, and where the
// driver has no room for a new block the spares are returned first.
func TestBigTensorOwnBlock(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	base := d.MemStats().Reserved
	n := int(d.BlockSize()/4) + 5
	x := d.New(n)
	own := d.MemStats().Reserved - base
	if own < int64(4*n) {
		t.Errorf("Reserved grew by %d for a %d-byte tensor", own, 4*n)
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i % 1000)
	}
	d.Upload(x, v)
	got := download(t, d, x)
	for i := range v {
		if got[i] != v[i] {
			t.Fatalf("[%d] = %g, want %g", i, got[i], v[i])
		}
	}
	x.Release()
	if r := d.MemStats().Reserved; r != base+own {
		t.Errorf("Reserved %d after release, want %d (the block kept as a spare)", r, base+own)
	}
	// Reused, zeroed again, for a tensor a little larger.
	y := d.New(n + 1000)
	if r := d.MemStats().Reserved; r != base+own {
		t.Errorf("Reserved %d after a second big tensor, want %d (the spare reused)", r, base+own)
	}
	for i, g := range download(t, d, y) {
		if g != 0 {
			t.Fatalf("reused block: New left [%d] = %g, want 0", i, g)
		}
	}
	y.Release()
	if err := d.EmptyCache(); err != nil {
		t.Fatal(err)
	}
	if r := d.MemStats().Reserved; r != base {
		t.Errorf("Reserved %d after EmptyCache, want %d", r, base)
	}
	// Out of room: a spare too small for the next tensor goes back to the
	// driver so that tensor fits.
	d.SetMemoryLimit(uint64(base) + uint64(own)*2)
	a := d.New(n)
	a.Release()
	b := d.New(n * 3 / 2) // zeroed by the fill shader or host (no dispatch: it may pass maxStorageBufferRange)
	if err := d.Flush(); err != nil {
		t.Fatalf("a tensor that fits once the spare is returned: %v", err)
	}
	if r := d.MemStats().Reserved; r > base+own*2 {
		t.Errorf("Reserved %d past the limit %d", r, base+own*2)
	}
	b.Release()
}

// TestOutOfMemory: an impossible allocation does not panic; the sticky
// error names the shape and the memory in use, and later ops are no-ops.
func TestOutOfMemory(t *testing.T) {
	d, err := vulkan.Open(vulkan.Options{Validate: validationLayerInstalled()})
	if err != nil {
		if required() {
			t.Fatal(err)
		}
		t.Skipf("no usable Vulkan device, skipping: %v", err)
	}
	keep := d.New(100)
	x := d.New(1<<20, 1<<20) // 4 TiB
	d.Fill(x, 1)
	d.Add(keep, keep, keep)
	err = d.Flush()
	if err == nil {
		t.Fatal("no error after allocating 4 TiB")
	}
	for _, s := range []string{"[1048576 1048576]", "in use", "out of memory"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if d.Err() == nil {
		t.Error("Err() is nil after the failure")
	}
	x.Release()
	keep.Release()
	t.Log(err)
	if cerr := d.Close(); cerr == nil {
		t.Error("Close after a failure returned nil, want the sticky error")
	}
	checkValidation(t, d)
}

// TestStagingTransfers: with tensors in unmapped memory, New still zeroes,
// Upload does not race with queued readers, Download sees queued writes and
// the guard-band helper works.
func TestStagingTransfers(t *testing.T) {
	d := openDevice(t, vulkan.Options{ForceStaging: true})
	const n = 3001
	x := d.New(n)
	for i, v := range download(t, d, x) {
		if v != 0 {
			t.Fatalf("New: [%d] = %g, want 0", i, v)
		}
	}
	d.Upload(x, fill(n, 1))
	y := d.New(n)
	d.Copy(y, x)
	d.Upload(x, fill(n, 2)) // y's copy was queued before
	d.Axpy(y, 10, x)        // y = 1 + 20
	for i, v := range download(t, d, y) {
		if v != 21 {
			t.Fatalf("y[%d] = %g, want 21", i, v)
		}
	}
	g, err := d.NewGuarded(-7, 9, 5)
	if err != nil {
		t.Fatal(err)
	}
	d.Fill(g.T, 3)
	if err := g.Check(); err != nil {
		t.Error(err)
	}
	if got := download(t, d, g.T); got[0] != 3 || got[4] != 3 {
		t.Errorf("guarded output %v", got)
	}
	g.Release()
	x.Release()
	y.Release()
}
