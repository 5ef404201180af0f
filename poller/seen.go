package poller

import (
	"strconv"
	"strings"

	"github.com/a12b7632/elementevents/internal/numid"
)

// seenSet holds the ids of the records a cycle has seen. Ids written as
// plain decimal integers are kept as numbers, as [Records] keeps them, so
// that a steady cycle over numeric ids adds no string per record. A
// resource keeps its set between cycles and empties it at the start of
// each, so that a cycle reuses the memory of the last one instead of
// allocating a set as large as the resource.
type seenSet struct {
	num map[uint64]struct{}
	str map[string]struct{}
}

// reset empties s, keeping its memory, and makes room for about n ids.
func (s *seenSet) reset(n int) {
	if s.num == nil {
		s.num = make(map[uint64]struct{}, n)
		s.str = make(map[string]struct{})
		return
	}
	clear(s.num)
	clear(s.str)
}

// add adds id and reports whether it was not there. id may be a scratch
// string: add keeps a copy of the ids it keeps as strings.
func (s *seenSet) add(id string) bool {
	if n, ok := numid.Parse(id); ok {
		if _, dup := s.num[n]; dup {
			return false
		}
		s.num[n] = struct{}{}
		return true
	}
	if _, dup := s.str[id]; dup {
		return false
	}
	s.str[strings.Clone(id)] = struct{}{}
	return true
}

// has reports whether id was seen.
func (s *seenSet) has(id string) bool {
	if n, ok := numid.Parse(id); ok {
		_, seen := s.num[n]
		return seen
	}
	_, seen := s.str[id]
	return seen
}

// len returns the number of ids seen.
func (s *seenSet) len() int { return len(s.num) + len(s.str) }

// unseen calls fn with each id of r that s does not hold, in no particular
// order. Numeric ids are formatted only when unseen, so that a snapshot
// that misses nothing formats none.
func (s *seenSet) unseen(r *Records, fn func(id string)) {
	for n := range r.num {
		if _, seen := s.num[n]; !seen {
			fn(strconv.FormatUint(n, 10))
		}
	}
	for id := range r.str {
		if _, seen := s.str[id]; !seen {
			fn(id)
		}
	}
}
