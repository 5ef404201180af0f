package poller

import (
	"iter"
	"maps"
	"strconv"
	"strings"

	"github.com/a12b7632/elementevents/internal/numid"
)

// Records is what a [ResourceState] remembers, by record id. Ids written
// as plain decimal integers, as most vendors' are, are kept as numbers,
// which takes about half the memory of a string key; and once a thousand
// or more of them fill at least half of their range, as ids numbered in
// sequence do, in an array indexed by id (about 18 bytes a record). The
// zero value is empty and ready to use.
type Records struct {
	// dense holds numeric ids in a range they mostly fill, num the other
	// numeric ids; checkAt is the size of num from which Set considers
	// moving them into dense (0: minDense).
	dense   denseRecords
	num     map[uint64]Record
	checkAt int
	str     map[string]Record
}

// Get returns the record remembered for id.
func (r *Records) Get(id string) (Record, bool) {
	if n, ok := numid.Parse(id); ok {
		if rec, ok := r.dense.get(n); ok {
			return rec, true
		}
		rec, ok := r.num[n]
		return rec, ok
	}
	rec, ok := r.str[id]
	return rec, ok
}

// Set remembers rec for id.
func (r *Records) Set(id string, rec Record) {
	if n, ok := numid.Parse(id); ok {
		if r.dense.set(n, rec) {
			return
		}
		if r.num == nil {
			r.num = make(map[uint64]Record)
		}
		r.num[n] = rec
		if len(r.num) >= max(r.checkAt, minDense) {
			r.checkAt = r.densify()
		}
		return
	}
	if r.str == nil {
		r.str = make(map[string]Record)
	}
	if _, ok := r.str[id]; !ok {
		// The id may share its memory with the page it came from.
		id = strings.Clone(id)
	}
	r.str[id] = rec
}

// Delete forgets id.
func (r *Records) Delete(id string) {
	if n, ok := numid.Parse(id); ok {
		if !r.dense.del(n) {
			delete(r.num, n)
		}
		return
	}
	delete(r.str, id)
}

// Len returns the number of records.
func (r *Records) Len() int { return r.dense.n + len(r.num) + len(r.str) }

// All yields every id and record, in no particular order.
func (r *Records) All() iter.Seq2[string, Record] {
	return func(yield func(string, Record) bool) {
		if !r.dense.all(func(n uint64, rec Record) bool { return yield(strconv.FormatUint(n, 10), rec) }) {
			return
		}
		for n, rec := range r.num {
			if !yield(strconv.FormatUint(n, 10), rec) {
				return
			}
		}
		for id, rec := range r.str {
			if !yield(id, rec) {
				return
			}
		}
	}
}

// Clone returns a copy that shares nothing with r.
func (r *Records) Clone() Records {
	return Records{dense: r.dense.clone(), num: maps.Clone(r.num), checkAt: r.checkAt, str: maps.Clone(r.str)}
}
