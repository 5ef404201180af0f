package poller

import (
	"math/bits"
	"slices"
)

// denseRecords holds the records of numeric ids within a range as an
// array indexed by id - lo, with a bitmap of the ids present. Most vendors
// number records in sequence, so a resource's ids fill most of their
// range: the array takes less memory than a map entry per record, and a
// poll cycle that reads pages in id order reads it in order too, from
// memory the CPU fetches ahead, where a map of a million records costs a
// cache miss per lookup.
type denseRecords struct {
	lo   uint64
	recs []Record
	has  []uint64 // bit i: id lo+i is present
	n    int      // ids present
}

// index returns the index of id n, and whether n is in the range.
func (d *denseRecords) index(n uint64) (uint64, bool) {
	i := n - d.lo
	return i, n >= d.lo && i < uint64(len(d.recs))
}

func (d *denseRecords) present(i uint64) bool { return d.has[i/64]&(1<<(i%64)) != 0 }

// get returns the record of id n.
func (d *denseRecords) get(n uint64) (Record, bool) {
	i, ok := d.index(n)
	if !ok || !d.present(i) {
		return Record{}, false
	}
	return d.recs[i], true
}

// set stores rec for id n and reports whether it could: n is in the
// range, or just past its top, where it grows (new records take the next
// ids).
func (d *denseRecords) set(n uint64, rec Record) bool {
	i, ok := d.index(n)
	if !ok {
		top := uint64(len(d.recs))
		if d.recs == nil || n < d.lo || i-top >= 64+top/8 {
			return false
		}
		d.grow(int(i + 1))
	}
	if !d.present(i) {
		d.has[i/64] |= 1 << (i % 64)
		d.n++
	}
	d.recs[i] = rec
	return true
}

// grow makes the range n ids long.
func (d *denseRecords) grow(n int) {
	old := len(d.recs)
	d.recs = slices.Grow(d.recs, n-old)[:n]
	clear(d.recs[old:])
	words := (n + 63) / 64
	oldWords := len(d.has)
	d.has = slices.Grow(d.has, words-oldWords)[:words]
	clear(d.has[oldWords:])
}

// del forgets id n and reports whether n is in the range.
func (d *denseRecords) del(n uint64) bool {
	i, ok := d.index(n)
	if !ok {
		return false
	}
	if d.present(i) {
		d.has[i/64] &^= 1 << (i % 64)
		d.recs[i] = Record{}
		d.n--
	}
	return true
}

// all calls yield with each id and record until it returns false, and
// reports whether it never did.
func (d *denseRecords) all(yield func(uint64, Record) bool) bool {
	for w, word := range d.has {
		for word != 0 {
			b := uint64(bits.TrailingZeros64(word))
			word &^= 1 << b
			i := uint64(w)*64 + b
			if !yield(d.lo+i, d.recs[i]) {
				return false
			}
		}
	}
	return true
}

// clone returns a copy that shares nothing with d.
func (d *denseRecords) clone() denseRecords {
	return denseRecords{lo: d.lo, recs: slices.Clone(d.recs), has: slices.Clone(d.has), n: d.n}
}

// minDense is the number of numeric ids in a map from which Records
// considers an array instead.
const minDense = 1024

// densify moves the records of num, and those of dense, into one array
// over their range, when they fill at least half of it: 16 bytes a slot
// at half full take less than a map entry. It returns the size of num
// from which to consider it again.
func (r *Records) densify() int {
	count := len(r.num) + r.dense.n
	lo, hi := uint64(1<<64-1), uint64(0)
	for n := range r.num {
		lo, hi = min(lo, n), max(hi, n)
	}
	if r.dense.n > 0 {
		lo, hi = min(lo, r.dense.lo), max(hi, r.dense.lo+uint64(len(r.dense.recs))-1)
	}
	span := hi - lo + 1
	if span == 0 || span > 2*uint64(count) {
		return max(minDense, 2*len(r.num))
	}
	d := denseRecords{lo: lo}
	d.grow(int(span))
	r.dense.all(func(n uint64, rec Record) bool { d.set(n, rec); return true })
	for n, rec := range r.num {
		d.set(n, rec)
	}
	r.dense, r.num = d, nil
	return minDense
}
