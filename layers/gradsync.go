package layers

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"slices"

	"simclr-vk/dist"
	"simclr-vk/engine"
)

// Overlap chooses when a data-parallel step all-reduces its gradients
// (Parallel.Overlap).
type Overlap int

const (
	// OverlapAuto overlaps where both the Comm (dist.AsyncAllreducer) and
	// the backend (engine.DownloadStaller) allow it.
	OverlapAuto Overlap = iota
	// OverlapOff all-reduces every bucket after the backward pass, with
	// the blocking AllreduceSum.
	OverlapOff
	// OverlapOn overlaps wherever the Comm allows it, also on a backend
	// whose downloads stall its queue (to measure what that costs).
	OverlapOn
)

func (o Overlap) String() string {
	switch o {
	case OverlapAuto:
		return "auto"
	case OverlapOff:
		return "off"
	case OverlapOn:
		return "on"
	}
	return fmt.Sprintf("Overlap(%d)", int(o))
}

// ParseOverlap reads "auto", "on" or "off" (Overlap.String).
func ParseOverlap(s string) (Overlap, error) {
	for o := OverlapAuto; o <= OverlapOn; o++ {
		if s == o.String() {
			return o, nil
		}
	}
	return 0, fmt.Errorf("layers: overlap %q: want auto, on or off", s)
}

// newGradSync is the gradient all-reduce over comm in buckets of bucket
// floats, overlapped as o says where comm and b allow it; synced says
// that the backward pass downloads from the device anyway (global BN's
// sums in every BN layer).
//
// OverlapAuto's rule: overlap where the backend's downloads do not stall
// its queue (the CPU backend: a gradient is in host memory when its op
// returns), and on a backend whose downloads stall (Vulkan: submit and
// fence wait) only where the backward pass already syncs with the host in
// every BN layer (global BN): there a bucket's download adds a few
// submits to dozens (a ResNet-18 step on lavapipe: 91 instead of 88, the
// step time within the noise, README), while in a per-device BN backward,
// which has no host sync, each would stall a queue that otherwise runs
// while the host records.
func newGradSync(b engine.Backend, comm *timedComm, o Overlap, bucket int, synced bool) *gradSync {
	g := &gradSync{b: b, comm: comm, bucket: bucket}
	a, ok := comm.Comm.(dist.AsyncAllreducer)
	if ok && (o == OverlapOn || o == OverlapAuto && (synced || !engine.DownloadStalls(b))) {
		g.async = a
	}
	return g
}

// gradSync is the gradient all-reduce of a data-parallel step: the
// parameters in buckets of about BucketFloats floats (a larger parameter
// gets one of its own), packed in reverse parameter order, the order in
// which the backward pass finishes them (head first, stem last), each
// bucket with a host buffer kept across steps.
//
// Overlapped (async set), the tape tells it (gradFinal) each parameter
// whose gradient is final during the step's last backward pass; as soon
// as every parameter of the next bucket to start is final, the bucket is
// downloaded and its all-reduce started (IallreduceSum), while the
// backward pass goes on. Buckets start strictly in bucket order, so every
// rank starts the same collectives in the same order (global BN's blocking
// all-reduces fall between them at the same points on every rank: the
// ranks run the same ops). After the backward pass the buckets not started
// yet (those whose parameters got no gradient, zeroed at the end of
// Backward) start, and finish waits for each in bucket order and uploads
// the sums. Without overlap, finish downloads, all-reduces (blocking) and
// uploads every bucket after the backward pass.
type gradSync struct {
	b      engine.Backend
	comm   *timedComm
	async  dist.AsyncAllreducer // nil: blocking all-reduce after the backward pass
	bucket int

	params  []*Param // what the buckets were planned for
	buckets []gradBucket
	of      map[*Param]int // bucket of each parameter
	next    int            // first bucket not started in this step
	err     error
}

type gradBucket struct {
	params []*Param
	buf    []float32
	left   int // parameters whose gradient is not final yet in this step
	req    dist.Request
	begun  bool
}

// plan packs params into buckets (again only when the parameters
// changed).
func (g *gradSync) plan(params []*Param) {
	if !slices.Equal(params, g.params) {
		g.params = params
		g.buckets, g.of = nil, make(map[*Param]int, len(params))
		size := g.bucket + 1 // start a bucket at the first parameter
		for i := len(params) - 1; i >= 0; i-- {
			p := params[i]
			if size+p.Numel() > g.bucket || len(g.buckets) == 0 {
				g.buckets = append(g.buckets, gradBucket{})
				size = 0
			}
			k := len(g.buckets) - 1
			g.buckets[k].params = append(g.buckets[k].params, p)
			g.of[p] = k
			size += p.Numel()
		}
		for k := range g.buckets {
			bk := &g.buckets[k]
			bk.buf, bk.left = make([]float32, floats(bk.params)), len(bk.params)
		}
	}
}

func floats(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += p.Numel()
	}
	return n
}

// gradFinal is the tape's news that p's gradient is final in this step:
// start every bucket, in order, whose parameters are all final.
func (g *gradSync) gradFinal(p *Param) {
	k, ok := g.of[p]
	if !ok || g.buckets[k].begun {
		return // a bucket already started (only in the tests' mutations)
	}
	g.buckets[k].left--
	for g.next < len(g.buckets) && g.buckets[g.next].left <= 0 {
		g.start(g.next)
		g.next++
	}
}

// start downloads bucket k's gradients and, overlapped, starts its
// all-reduce.
func (g *gradSync) start(k int) {
	bk := &g.buckets[k]
	bk.begun = true
	if g.err != nil {
		return
	}
	off := 0
	for _, p := range bk.params {
		if err := g.b.Download(p.Grad, bk.buf[off:off+p.Numel()]); err != nil {
			g.err = err
			return
		}
		off += p.Numel()
	}
	if g.async != nil {
		g.err = g.comm.time(func() (err error) {
			bk.req, err = g.async.IallreduceSum(bk.buf)
			return err
		})
	}
}

// finish starts the buckets not started yet, completes every bucket's
// all-reduce in bucket order and uploads the sums into Param.Grad; the
// time blocked on communication goes to the comm's clock.
func (g *gradSync) finish() error {
	for ; g.next < len(g.buckets); g.next++ {
		g.start(g.next)
	}
	for k := range g.buckets {
		bk := &g.buckets[k]
		if g.err == nil {
			g.err = g.comm.time(func() error {
				if bk.req != nil {
					return bk.req.Wait()
				}
				return g.comm.Comm.AllreduceSum(bk.buf)
			})
		}
		if g.err == nil {
			off := 0
			for _, p := range bk.params {
				g.b.Upload(p.Grad, bk.buf[off:off+p.Numel()])
				off += p.Numel()
			}
		}
		bk.req, bk.begun, bk.left = nil, false, len(bk.params)
	}
	g.next = 0
	err := g.err
	g.err = nil
	return err
}

// allreduceSum replaces every tensor by its sum over the ranks times scale,
// through host buffers of about bucket floats (a larger tensor gets one of
// its own): a few collectives instead of one per tensor.
func allreduceSum(b engine.Backend, comm dist.Comm, ts []*engine.Tensor, bucket int, scale float32) error {
	buf := make([]float32, 0, bucket)
	var pending []*engine.Tensor
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := comm.AllreduceSum(buf); err != nil {
			return err
		}
		off := 0
		for _, t := range pending {
			v := buf[off : off+t.Numel()]
			if scale != 1 {
				for i := range v {
					v[i] *= scale
				}
			}
			b.Upload(t, v)
			off += t.Numel()
		}
		buf, pending = buf[:0], pending[:0]
		return nil
	}
	for _, t := range ts {
		if len(buf)+t.Numel() > bucket {
			if err := flush(); err != nil {
				return err
			}
		}
		off := len(buf)
		buf = append(buf, make([]float32, t.Numel())...)
		if err := b.Download(t, buf[off:]); err != nil {
			return err
		}
		pending = append(pending, t)
	}
	return flush()
}

// syncAfterBackward makes the step's gradients those of the global loss on
// every rank and keeps the per-device BN running statistics identical.
//
// Each rank's backward gives the gradient of the GLOBAL loss (mean over the
// global 2N views) through its own rows only: its z rows (gatheredNTXent)
// and its activations, with global BN's backward already using the
// global sums. The gradient of the global loss is the SUM of these
// partials, not their mean (a mean would divide it by the world size);
// a world of n then takes the same step as a world of one on the same
// global batch. The gradients' all-reduce may have started during the
// backward pass (gradSync); the running statistics' runs after it.
func (m *Model) syncAfterBackward() error {
	comm := m.world()
	if comm.Size() == 1 {
		return nil
	}
	g := m.tape.par.grads
	if g == nil { // a Model built without SetParallel (tests)
		g = newGradSync(m.b, &timedComm{Comm: comm}, OverlapOff, 1<<18, false)
	}
	g.plan(m.params)
	if err := g.finish(); err != nil {
		return fmt.Errorf("layers: gradient all-reduce: %w", err)
	}
	if m.tape.par.global {
		return nil
	}
	var run []*engine.Tensor
	for _, b := range m.Buffers() {
		if !b.IsScalar() {
			run = append(run, b.Value)
		}
	}
	if err := allreduceSum(m.b, comm, run, m.par.BucketFloats, 1/float32(comm.Size())); err != nil {
		return fmt.Errorf("layers: BN running-statistics all-reduce: %w", err)
	}
	return nil
}

// StateHash is a 64-bit FNV-1a hash of the model's state: every parameter
// and running statistic (exact float32 bits, state-dict order) and every
// batch counter. Ranks of a data-parallel run must agree on it after each
// step (CheckInSync).
func (m *Model) StateHash() (uint64, error) {
	h := fnv.New64a()
	var w [8]byte
	for _, s := range m.State() {
		h.Write([]byte(s.Name))
		if s.Tensor == nil {
			binary.LittleEndian.PutUint64(w[:], uint64(s.Buffer.Count))
			h.Write(w[:])
			continue
		}
		v := make([]float32, s.Tensor.Numel())
		if err := m.b.Download(s.Tensor, v); err != nil {
			return 0, fmt.Errorf("layers: state hash: %s: %w", s.Name, err)
		}
		for _, f := range v {
			binary.LittleEndian.PutUint32(w[:4], math.Float32bits(f))
			h.Write(w[:4])
		}
	}
	return h.Sum64(), nil
}

// CheckInSync compares StateHash across the model's ranks (a collective:
// every rank calls it) and returns an error naming the first rank whose
// parameters or buffers differ from rank 0's.
func (m *Model) CheckInSync() error {
	comm := m.world()
	if m.comm != nil {
		comm = m.comm.Comm // a check, not the step's communication
	}
	h, err := m.StateHash()
	if err != nil {
		return err
	}
	// Four 16-bit pieces: exact in float32.
	send := []float32{float32(h >> 48), float32(h >> 32 & 0xffff), float32(h >> 16 & 0xffff), float32(h & 0xffff)}
	all := make([]float32, 4*comm.Size())
	if err := comm.Allgather(send, all); err != nil {
		return fmt.Errorf("layers: state check: %w", err)
	}
	hash := func(r int) uint64 {
		var v uint64
		for _, x := range all[4*r : 4*r+4] {
			v = v<<16 | uint64(x)
		}
		return v
	}
	for r := 1; r < comm.Size(); r++ {
		if hash(r) != hash(0) {
			return fmt.Errorf("layers: model state differs across ranks: rank %d hash %016x, rank 0 %016x", r, hash(r), hash(0))
		}
	}
	return nil
}
