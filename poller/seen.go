package poller

import (
	"strconv"
	"strings"

	"github.com/a12b7632/elementevents/internal/numid"
)

// seenSet holds the ids of the records a cycle has seen. Ids written as
// plain decimal integers are kept as numbers, as [Records] keeps them, so
// that a steady cycle over numeric ids adds no string per record; and
// when the last cycle's numeric ids were dense (most vendors number
// records in sequence) they are bits of a bitmap over their range, which
// fits in the CPU's cache where a map of a million ids does not, so that
// the time per record stays flat as the resource grows. Other ids go to
// maps.
//
// A resource keeps its set between cycles and empties it at the start of
// each, so that a cycle reuses the memory of the last one instead of
// allocating a set as large as the resource.
type seenSet struct {
	// words holds the bit of id lo+i at words[i/64], bit i%64.
	lo    uint64
	words []uint64
	num   map[uint64]struct{} // numeric ids outside the bitmap
	str   map[string]struct{}
	// The numeric ids seen this cycle: how many and their range, which
	// size the bitmap of the next.
	nums     int
	min, max uint64
}

// maxBitsPerID bounds the bitmap: its range is used only when it takes at
// most this many bits per id seen (8 bytes, less than a map entry).
const maxBitsPerID = 64

// dense reports whether this cycle's numeric ids are dense enough for
// the bitmap of the next, and the range it would take then, with room
// for ids added since.
func (s *seenSet) dense() (span uint64, ok bool) {
	if s.nums == 0 {
		return 0, false
	}
	span = s.max - s.min + 1
	room := span/8 + 64*64 // new records take the next ids
	return span + room, span/uint64(s.nums) <= maxBitsPerID && span+room < 1<<40
}

// reset empties s, keeping its memory, and places the bitmap over the
// range of the numeric ids of the cycle before, when they were dense
// enough.
func (s *seenSet) reset() {
	s.words = s.words[:0]
	if span, ok := s.dense(); ok {
		n := int((span + 63) / 64)
		if cap(s.words) < n {
			s.words = make([]uint64, n)
		}
		s.words = s.words[:n]
		clear(s.words)
		s.lo = s.min
	}
	s.trim()
	clear(s.num)
	clear(s.str)
	s.nums, s.min, s.max = 0, 0, 0
}

// trim drops the map of numeric ids when the next cycle takes them as
// bits, so that the memory kept between cycles is not a map as large as
// the resource (the first cycle has no bitmap yet).
func (s *seenSet) trim() {
	if _, ok := s.dense(); ok && len(s.num) > 64 {
		s.num = nil
	}
}

// add adds id and reports whether it was not there. id may be a scratch
// string: add keeps a copy of the ids it keeps as strings.
func (s *seenSet) add(id string) bool {
	n, ok := numid.Parse(id)
	if !ok {
		if _, dup := s.str[id]; dup {
			return false
		}
		if s.str == nil {
			s.str = make(map[string]struct{})
		}
		s.str[strings.Clone(id)] = struct{}{}
		return true
	}
	if i := n - s.lo; n >= s.lo && i < uint64(len(s.words))*64 {
		w, b := &s.words[i/64], uint64(1)<<(i%64)
		if *w&b != 0 {
			return false
		}
		*w |= b
	} else {
		if _, dup := s.num[n]; dup {
			return false
		}
		if s.num == nil {
			s.num = make(map[uint64]struct{})
		}
		s.num[n] = struct{}{}
	}
	if s.nums == 0 || n < s.min {
		s.min = n
	}
	if s.nums == 0 || n > s.max {
		s.max = n
	}
	s.nums++
	return true
}

// hasNum reports whether the numeric id n was seen.
func (s *seenSet) hasNum(n uint64) bool {
	if i := n - s.lo; n >= s.lo && i < uint64(len(s.words))*64 {
		return s.words[i/64]&(1<<(i%64)) != 0
	}
	_, seen := s.num[n]
	return seen
}

// has reports whether id was seen.
func (s *seenSet) has(id string) bool {
	if n, ok := numid.Parse(id); ok {
		return s.hasNum(n)
	}
	_, seen := s.str[id]
	return seen
}

// len returns the number of ids seen.
func (s *seenSet) len() int { return s.nums + len(s.str) }

// unseen calls fn with each id of r that s does not hold, in no particular
// order. Numeric ids are formatted only when unseen, so that a snapshot
// that misses nothing formats none.
func (s *seenSet) unseen(r *Records, fn func(id string)) {
	r.dense.all(func(n uint64, _ Record) bool {
		if !s.hasNum(n) {
			fn(strconv.FormatUint(n, 10))
		}
		return true
	})
	for n := range r.num {
		if !s.hasNum(n) {
			fn(strconv.FormatUint(n, 10))
		}
	}
	for id := range r.str {
		if _, seen := s.str[id]; !seen {
			fn(id)
		}
	}
}
