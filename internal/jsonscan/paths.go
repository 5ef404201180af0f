package jsonscan

import (
	"errors"
	"math/bits"
	"strconv"
	"strings"
)

// maxPaths is how many paths one [Paths] holds: one bit each in a word.
const maxPaths = 64

// Paths is a compiled set of dotted paths ("id", "customer.dates.updated")
// to look up in JSON documents. It holds no per-document state, so one
// Paths is safe for concurrent use.
type Paths struct {
	paths []path
	top   uint64 // a bit for each path that can be found
	// lens has, for each level, a bit for the length of each segment
	// name at that level (see lenBit): a key without escapes whose
	// length has no bit names no segment there, and is passed over
	// without comparing it to each.
	lens []uint64
}

// lenBit is the bit of a name of n bytes in Paths.lens; names of 63
// bytes or more share the top bit. A name that is not ASCII sets every
// bit: a raw key with invalid UTF-8 may decode to it from any length.
func lenBit(n int) uint64 { return 1 << min(n, 63) }

// path is one compiled dotted path.
type path struct {
	full string
	segs []segment // nil for the empty path, which is never found
}

// Path is one compiled dotted path, such as the records path of a page.
// The zero Path is the empty path: the document itself.
type Path struct{ p path }

// CompilePath compiles one dotted path; "" is the document itself.
func CompilePath(p string) Path { return Path{p: compilePath(p)} }

// String returns the path as written.
func (p Path) String() string { return p.p.full }

func compilePath(p string) path {
	if p == "" {
		return path{}
	}
	c := path{full: p}
	for name := range strings.SplitSeq(p, ".") {
		c.segs = append(c.segs, newSegment(name))
	}
	return c
}

// Compile compiles dotted paths. An empty path is never found. It panics
// when given more than 64 paths, which is a programming error: paths come
// from code and definitions, one per field read.
func Compile(paths ...string) *Paths {
	if len(paths) > maxPaths {
		panic("jsonscan: Compile takes at most " + strconv.Itoa(maxPaths) + " paths")
	}
	ps := &Paths{paths: make([]path, len(paths))}
	for i, p := range paths {
		ps.paths[i] = compilePath(p)
		if p != "" {
			ps.top |= 1 << i
		}
		for level, seg := range ps.paths[i].segs {
			if level == len(ps.lens) {
				ps.lens = append(ps.lens, 0)
			}
			bit := lenBit(len(seg.name))
			if !seg.ascii {
				bit = ^uint64(0) // any key may decode to it
			}
			ps.lens[level] |= bit
		}
	}
	return ps
}

// Len returns the number of paths.
func (ps *Paths) Len() int { return len(ps.paths) }

// errShortVals reports a vals slice with fewer elements than paths.
var errShortVals = errors.New("jsonscan: vals has fewer elements than paths")

// Find looks the paths up in doc, one JSON value, and sets vals[i] to the
// value at path i. It descends only into the objects on the paths and
// skips every other value without validating it, trusting that doc was
// validated before (a record that [Records] returned, an element of a
// validated body). It checks what it walks: the members of the objects on
// the paths, the values it returns, and every scalar; on any input it
// stays in bounds and fails with an [*Error] rather than panic.
//
// A path whose value is absent, or that crosses a value that is not an
// object, gives an Absent value. vals must have at least Len elements.
func (ps *Paths) Find(doc []byte, vals []Value) error {
	w := walker{paths: ps.paths, lens: ps.lens, vals: vals}
	return w.document(doc, ps.top)
}

// FindValid is [Paths.Find] on a document that is not known to be valid:
// it validates the whole of doc in the same pass, as [Valid] does.
func (ps *Paths) FindValid(doc []byte, vals []Value) error {
	w := walker{paths: ps.paths, lens: ps.lens, vals: vals, validate: true}
	return w.document(doc, ps.top)
}

// walker walks one document, looking up paths (and, for Records, the
// records path), validating everything or skipping what it does not need.
type walker struct {
	paths    []path
	lens     []uint64 // Paths.lens
	vals     []Value
	validate bool
	recs     *recordsWalk // nil when not splitting records
}

// document walks the top-level value of doc; top has a bit for each path
// that can be found.
func (w *walker) document(doc []byte, top uint64) error {
	if len(w.vals) < len(w.paths) {
		return errShortVals
	}
	clear(w.vals[:len(w.paths)])
	i := skipSpace(doc, 0)
	if i >= len(doc) {
		return errorAt(i, "unexpected end of input, expected a value")
	}
	var err error
	if doc[i] == '{' {
		i, err = w.object(doc, i, 0, 0, top, false)
	} else {
		var v Value
		i, err = w.value(doc, i, 0, &v)
	}
	if err != nil {
		return err
	}
	return checkEnd(doc, i)
}

// object walks the object at b[i] ('{'), level segments into the paths.
// active has a bit for each path that matched so far; rec says whether
// the records path did.
func (w *walker) object(b []byte, i, depth, level int, active uint64, rec bool) (int, error) {
	if w.validate && !rec {
		if end := w.validPathObject(b, i, depth, level, active); end >= 0 {
			return end, nil
		}
		// Walked again below, for the error.
	}
	if w.validate {
		if depth++; depth > MaxDepth {
			return i, errorAt(i, "nesting deeper than %d", MaxDepth)
		}
	}
	if rec {
		w.recs.missing(i) // until a member holds the next segment
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) {
			return i, errorAt(i, "unexpected end of input in object")
		}
		if b[i] != '"' {
			return i, errorAt(i, "expected a string key, found %q", b[i])
		}
		var end int
		var esc bool
		var err error
		if w.validate {
			if end = nextSpecial(b, i+1); end < len(b) && b[end] == '"' {
				end++ // no escapes: the common key, without a second call
			} else if end, esc, err = checkString(b, i+1); err != nil {
				return end, err
			}
		} else if end, esc = skipKey(b, i+1); end < 0 {
			return i, errorAt(i, "unterminated string")
		}
		keyStart := i + 1
		if i = skipSpace(b, end); i >= len(b) || b[i] != ':' {
			return i, errorAt(i, "expected ':' after object key")
		}
		if i = skipSpace(b, i+1); i >= len(b) {
			return i, errorAt(i, "unexpected end of input, expected a value")
		}

		var matched uint64
		// The key is b[keyStart:end-1], sliced only to be compared.
		if active != 0 && (esc || w.lens[level]&lenBit(end-1-keyStart) != 0) {
			key := b[keyStart : end-1]
			for m := active; m != 0; m &= m - 1 {
				f := bits.TrailingZeros64(m)
				if w.paths[f].segs[level].matches(key, esc) {
					matched |= 1 << f
				}
			}
		}
		recHere := rec && w.recs.segs[level].matches(b[keyStart:end-1], esc)
		switch {
		case matched != 0 || recHere:
			i, err = w.member(b, i, depth, level, matched, recHere)
		case w.validate && b[i] == '"': // the most common value, in line
			if end = nextSpecial(b, i+1); end < len(b) && b[end] == '"' {
				i = end + 1
			} else {
				i, _, err = checkString(b, i+1)
			}
		case w.validate:
			i, err = checkValue(b, i, depth)
		default:
			i, err = skipValue(b, i)
		}
		if err != nil {
			return i, err
		}

		if i < len(b) && b[i] == ',' { // compact JSON
			i = skipSpace(b, i+1)
			continue
		}
		var done bool
		if i, done, err = afterMember(b, i, '}'); done || err != nil {
			return i, err
		}
	}
}

// member reads the value at b[i] of a member whose key matched segment
// level of the paths in matched, and of the records path if rec.
func (w *walker) member(b []byte, i, depth, level int, matched uint64, rec bool) (int, error) {
	var final, deeper uint64
	for m := matched; m != 0; m &= m - 1 {
		f := bits.TrailingZeros64(m)
		// The last of repeated keys wins: it replaces whatever an earlier
		// one gave, including everything found below it.
		w.vals[f] = Value{}
		if len(w.paths[f].segs) == level+1 {
			final |= 1 << f
		} else {
			deeper |= 1 << f
		}
	}
	recFinal := rec && len(w.recs.segs) == level+1
	recDeeper := rec && !recFinal

	v := Value{Start: i}
	var end int
	var err error
	switch c := b[i]; {
	case c == '{' && (deeper != 0 || recDeeper):
		v.Kind = Object
		end, err = w.object(b, i, depth, level+1, deeper, recDeeper)
	case c == '[' && recFinal:
		v.Kind = Array
		end, err = w.recs.split(b, i, depth)
	default:
		// A scalar, or a container no path goes into: paths deeper
		// through it stay absent (reset above), as they would in a map.
		end, err = w.value(b, i, depth, &v)
	}
	if err != nil {
		return end, err
	}
	v.End = end
	if rec {
		w.recs.member(b[i], recFinal, i)
	}
	for m := final; m != 0; m &= m - 1 {
		w.vals[bits.TrailingZeros64(m)] = v
	}
	return end, nil
}

// value reads the value at b[i] into v (Kind and Plain) and returns the
// index past it.
func (w *walker) value(b []byte, i, depth int, v *Value) (int, error) {
	switch c := b[i]; c {
	case '"':
		v.Kind = String
		var end int
		var err error
		if w.validate {
			end, _, err = checkString(b, i+1)
		} else {
			end, err = skipString(b, i+1)
		}
		if err == nil {
			v.Plain = !needsUnquote(b[i+1 : end-1])
		}
		return end, err
	case '{', '[':
		v.Kind = Object
		if c == '[' {
			v.Kind = Array
		}
		if w.validate {
			return checkValue(b, i, depth)
		}
		return skipContainer(b, i)
	case 't', 'f':
		v.Kind = Bool
	case 'n':
		v.Kind = Null
	default:
		v.Kind = Number
	}
	return skipValue(b, i) // scalars are validated in full either way
}
