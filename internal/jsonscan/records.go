package jsonscan

import "slices"

// Records returns the elements of the JSON array at the dotted path in
// body ("" = body is the array; "Items"; "data.items"), each as a
// sub-slice of body (no copy, capacity clipped), with the whitespace around
// it trimmed. It is [Paths.Records] without other paths.
func Records(body []byte, path string) ([][]byte, error) {
	var none Paths
	return none.Records(body, path, nil)
}

// Records validates body in one pass, as [Valid] does, and returns the
// elements of the JSON array at the dotted records path, each as a
// sub-slice of body (no copy, capacity clipped), with the whitespace
// around it trimmed; in the same pass it sets vals[i] to the value at path
// i, as [Paths.Find] does. vals must have at least Len elements.
//
// A null at the records path, or on the way to it, is zero records; it is
// an [*Error] when the path is missing, when a value on the way is not an
// object, when the value at the path is not an array, and when an element
// is not an object.
func (ps *Paths) Records(body []byte, recordsPath string, vals []Value) ([][]byte, error) {
	recs, _, err := ps.records(body, compilePath(recordsPath), vals, nil, nil, nil)
	return recs, err
}

// RecordsFind is [Paths.Records] at a compiled records path that also
// looks the paths of each up in every record, in the same pass: it
// appends each.Len() values a record to found, record after record, and
// returns it. Their offsets are within the record, as [Paths.Find] on the
// record would give them.
//
// The records are written into recs[:0] when it has room, so that a
// caller reading page after page can reuse the memory of the previous
// page's records; recs may be nil.
func (ps *Paths) RecordsFind(body []byte, recordsPath Path, vals []Value, each *Paths, found []Value, recs [][]byte) ([][]byte, []Value, error) {
	return ps.records(body, recordsPath.p, vals, each, found, recs[:0:cap(recs)])
}

func (ps *Paths) records(body []byte, rp path, vals []Value, each *Paths, found []Value, recs [][]byte) ([][]byte, []Value, error) {
	recordsPath := rp.full
	r := recordsWalk{path: rp, each: each, found: found, found0: len(found), dst: recs}
	w := walker{paths: ps.paths, lens: ps.lens, vals: vals, validate: true, recs: &r}
	if len(vals) < len(ps.paths) {
		return nil, found, errShortVals
	}
	clear(vals[:len(ps.paths)])
	i := skipSpace(body, 0)
	if i >= len(body) {
		return nil, found, errorAt(i, "unexpected end of input")
	}
	var err error
	switch c := body[i]; {
	case c == 'n':
		// null where the records should be: the vendor has nothing to list.
		i, err = scanLiteral(body, i, "null")
		r.state = recsFound
	case recordsPath == "" && c == '[':
		i, err = r.split(body, i, 0)
		r.member(c, true, i)
	case recordsPath == "":
		return nil, found, errorAt(i, "value at records path %q is not an array", recordsPath)
	case c == '{':
		i, err = w.object(body, i, 0, 0, ps.top, true)
	default:
		return nil, found, errorAt(i, "records path %q: value is not an object", recordsPath)
	}
	if err == nil {
		err = checkEnd(body, i)
	}
	if err == nil {
		switch r.state {
		case recsMissing:
			err = errorAt(r.off, "records path %q not found", recordsPath)
		case recsNotArray:
			err = errorAt(r.off, "value at records path %q is not an array", recordsPath)
		case recsNotObject:
			err = errorAt(r.off, "records path %q: value is not an object", recordsPath)
		case recsElement:
			err = errorAt(r.off, "records must be objects")
		}
	}
	if err != nil {
		return nil, found, err
	}
	return r.recs, r.found, nil
}

// recordsWalk is the records path of a Records walk and what the walk
// found there so far. Like any path's value, a repeated key replaces what
// an earlier one gave, so a shape error is decided only at the end.
type recordsWalk struct {
	path
	state recsState
	recs  [][]byte
	off   int // where the missing segment or the bad value is
	// elem is the offset of the first element of the array just split that
	// is not an object, -1 when there is none.
	elem int
	// each, when not nil, is looked up in every record split; found gets
	// its values, from found0 on.
	each   *Paths
	found  []Value
	found0 int
	// dst, when not nil, is the memory the records are written into.
	dst [][]byte
}

type recsState uint8

const (
	recsMissing   recsState = iota // the object at off lacks the next segment
	recsFound                      // recs are the records
	recsNotArray                   // the value at the path, at off, is not an array
	recsNotObject                  // a value on the way, at off, is not an object
	recsElement                    // the element at off is not an object
)

// missing notes that the records path goes on into the object at off.
func (r *recordsWalk) missing(off int) {
	r.state, r.recs, r.off, r.found = recsMissing, nil, off, r.found[:r.found0]
}

// member notes the value at off, whose first byte is c, of a member on the
// records path; final says it is the last segment. An object on the way
// was walked into, and what it held is noted already.
func (r *recordsWalk) member(c byte, final bool, off int) {
	switch {
	case c == 'n':
		r.state, r.recs, r.off, r.found = recsFound, nil, 0, r.found[:r.found0]
	case final && c == '[':
		if r.elem >= 0 {
			r.state, r.off, r.recs = recsElement, r.elem, nil
		} else {
			r.state = recsFound
		}
	case final:
		r.state, r.recs, r.off = recsNotArray, nil, off
	case c != '{':
		r.state, r.recs, r.off = recsNotObject, nil, off
	}
}

// split validates the array at b[i] and keeps its elements as the records,
// noting in elem the first one that is not an object.
func (r *recordsWalk) split(b []byte, i, depth int) (int, error) {
	r.recs, r.elem, r.found = nil, -1, r.found[:r.found0]
	if depth++; depth > MaxDepth {
		return i, errorAt(i, "nesting deeper than %d", MaxDepth)
	}
	start := i
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		r.recs = [][]byte{}
		if r.dst != nil {
			r.recs = r.dst[:0]
		}
		return i + 1, nil
	}
	recs := r.dst[:0:cap(r.dst)]
	first := true
	for {
		if i >= len(b) {
			return i, errorAt(i, "unexpected end of input in array")
		}
		var end int
		var err error
		if b[i] == '{' {
			if r.each == nil {
				end, err = checkObject(b, i, depth)
			} else {
				end, err = r.find(b, i, depth)
			}
			if err != nil {
				return end, err
			}
			if first {
				first = false
				// Guess the count from the first record, with 1/8 slack for
				// records of varying size, so a 10,000-record page costs one
				// allocation instead of fifteen doublings. The guess assumes
				// records of at least 64 bytes so a tiny first record cannot
				// reserve more than a fraction of the body's size.
				est := (len(b) - start) / max(end-i+1, 64)
				recs = slices.Grow(recs, 1+est+est/8)
				if r.each != nil {
					r.found = slices.Grow(r.found, (est+est/8)*len(r.each.paths))
				}
			}
			recs = append(recs, b[i:end:end])
		} else {
			if r.elem < 0 {
				r.elem = i
			}
			if end, err = checkValue(b, i, depth); err != nil {
				return end, err
			}
		}
		var done bool
		if i, done, err = afterMember(b, end, ']'); err != nil {
			return i, err
		} else if done {
			r.recs = recs
			return i, nil
		}
	}
}

// find validates the record at b[i] ('{') while it looks up the paths of
// r.each, whose values it appends to r.found with offsets within the
// record.
func (r *recordsWalk) find(b []byte, i, depth int) (int, error) {
	n := len(r.each.paths)
	k := len(r.found)
	r.found = slices.Grow(r.found, n)[:k+n]
	vals := r.found[k:]
	clear(vals)
	w := walker{paths: r.each.paths, lens: r.each.lens, vals: vals, validate: true}
	end, err := w.object(b, i, depth, 0, r.each.top, false)
	for j := range vals {
		if vals[j].Kind != Absent {
			vals[j].Start -= i
			vals[j].End -= i
		}
	}
	return end, err
}

// Elements returns the elements of the JSON array arr, each as a
// sub-slice of arr with the whitespace around it trimmed. Like
// [Paths.Find] it trusts arr to have been validated, skipping each element
// without validating it, and on any input stays in bounds and fails with
// an [*Error] rather than panic.
func Elements(arr []byte) ([][]byte, error) {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return nil, errorAt(i, "expected an array")
	}
	i = skipSpace(arr, i+1)
	var out [][]byte
	if i < len(arr) && arr[i] == ']' {
		return out, checkEnd(arr, i+1)
	}
	for {
		if i >= len(arr) {
			return nil, errorAt(i, "unexpected end of input in array")
		}
		end, err := skipValue(arr, i)
		if err != nil {
			return nil, err
		}
		out = append(out, arr[i:end:end])
		var done bool
		if i, done, err = afterMember(arr, end, ']'); err != nil {
			return nil, err
		} else if done {
			if err := checkEnd(arr, i); err != nil {
				return nil, err
			}
			return out, nil
		}
	}
}

// Members calls fn with each member of the JSON object obj, in order:
// key is the key as written between its quotes (escapes left as they
// are, esc reporting whether it has any), value the member's value,
// both sub-slices of obj. It stops when fn returns false. Like
// [Elements] it trusts obj to have been validated, skipping each value
// without validating it, and on any input stays in bounds and fails with
// an [*Error] rather than panic.
func Members(obj []byte, fn func(key []byte, esc bool, value []byte) bool) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return errorAt(i, "expected an object")
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return checkEnd(obj, i+1)
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return errorAt(i, "expected a string key")
		}
		end, esc := skipKey(obj, i+1)
		if end < 0 {
			return errorAt(i, "unterminated string")
		}
		key := obj[i+1 : end-1 : end-1]
		var err error
		if i, err = afterKey(obj, end); err != nil {
			return err
		}
		if i >= len(obj) {
			return errorAt(i, "unexpected end of input in object")
		}
		if end, err = skipValue(obj, i); err != nil {
			return err
		}
		if !fn(key, esc, obj[i:end:end]) {
			return nil
		}
		var done bool
		if i, done, err = afterMember(obj, end, '}'); err != nil {
			return err
		} else if done {
			return checkEnd(obj, i)
		}
	}
}
