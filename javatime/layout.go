package javatime

import (
	"fmt"
	"strings"
	"time"
)

// epochMillisPattern stands for milliseconds since the Unix epoch, in
// vendor configurations that keep dates as numbers.
const epochMillisPattern = "milliseconds"

// maxXCount is the longest run of X Java accepts (XXX, "-07:00").
const maxXCount = 3

// Layout reads and writes times with a Java SimpleDateFormat pattern in
// one zone, compiled once by [NewLayout]. It is immutable and safe for
// concurrent use. The package documentation lists the pattern letters and
// how they read.
type Layout struct {
	pattern string
	loc     *time.Location
	ops     []dateOp
	epoch   bool // the milliseconds pattern
	// own is the zoneNames set of loc, or -1, and savings its daylight
	// saving, when the pattern reads zone names.
	own, savings int
}

// dateOp is one compiled pattern item: literal text, or a field letter
// repeated count times.
type dateOp struct {
	lit    string // literal text when letter is 0
	letter byte
	count  int
	// fixed reports that a field is followed directly by another field,
	// so a number in it is read as at most count digits, as Java does.
	fixed bool
}

// NewLayout compiles a Java SimpleDateFormat pattern, or the pattern
// "milliseconds" (milliseconds since the Unix epoch), for a zone as
// [LoadLocation] reads it ("" is UTC). Values without zone information are
// read in that zone, and Format writes in it. A pattern error is a
// [*PatternError] (errors.Is [ErrPattern]); a zone error wraps [ErrZone].
func NewLayout(pattern, zone string) (*Layout, error) {
	loc, err := LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("pattern %s: %w", quote(pattern), err)
	}
	return newLayout(pattern, loc)
}

func newLayout(pattern string, loc *time.Location) (*Layout, error) {
	if pattern == epochMillisPattern {
		return &Layout{pattern: pattern, loc: loc, epoch: true}, nil
	}
	ops, err := compilePattern(pattern)
	if err != nil {
		return nil, err
	}
	l := &Layout{pattern: pattern, ops: ops}
	l.setZone(loc)
	return l, nil
}

// setZone sets the layout's zone, and the names of it a value may hold.
func (l *Layout) setZone(loc *time.Location) {
	l.loc, l.own, l.savings = loc, -1, 0
	for _, o := range l.ops {
		if o.letter == 'z' || o.letter == 'Z' {
			l.own, l.savings = namesOf(loc), dstSavings(loc)
			return
		}
	}
}

// In returns a layout with the same pattern in loc, as a [time.Time]'s In
// does; nil is UTC.
func (l *Layout) In(loc *time.Location) *Layout {
	if loc == nil {
		loc = time.UTC
	}
	c := *l
	c.setZone(loc)
	return &c
}

// Location returns the zone values are read and written in.
func (l *Layout) Location() *time.Location { return l.loc }

// String returns the pattern the layout was compiled from, so that
// layouts print readably in logs.
func (l *Layout) String() string { return l.pattern }

// HasFields reports whether the layout writes anything that depends on
// the time: false for a pattern of quoted or literal text only, which is
// most likely a mistake.
func (l *Layout) HasFields() bool {
	if l.epoch {
		return true
	}
	for _, o := range l.ops {
		if o.letter != 0 {
			return true
		}
	}
	return false
}

func compilePattern(pattern string) ([]dateOp, error) {
	if pattern == "" {
		return nil, &PatternError{Pattern: pattern, why: "empty pattern"}
	}
	var (
		ops []dateOp
		lit []byte // literal text not yet flushed into ops
	)
	flush := func() {
		if len(lit) > 0 {
			ops = append(ops, dateOp{lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			if i+1 < len(pattern) && pattern[i+1] == '\'' {
				lit = append(lit, '\'')
				i += 2
				continue
			}
			end, quoted, ok := scanQuoted(pattern, i+1)
			if !ok {
				return nil, &PatternError{Pattern: pattern, Pos: i, Letter: '\'', why: "unterminated quote"}
			}
			lit = append(lit, quoted...)
			i = end
		case isASCIILetter(c):
			if !strings.ContainsRune("GyYMLwWDdFEuaHkKhmsSzZX", rune(c)) {
				return nil, &PatternError{Pattern: pattern, Pos: i, Letter: c, why: fmt.Sprintf("unknown pattern letter %q", c)}
			}
			n := 1
			for i+n < len(pattern) && pattern[i+n] == c {
				n++
			}
			if c == 'X' && n > maxXCount {
				return nil, &PatternError{Pattern: pattern, Pos: i, Letter: c, why: fmt.Sprintf("%d X letters", n)}
			}
			flush()
			ops = append(ops, dateOp{letter: c, count: n})
			i += n
		default:
			lit = append(lit, c)
			i++
		}
	}
	flush()
	for i := 0; i+1 < len(ops); i++ {
		ops[i].fixed = ops[i].letter != 0 && ops[i+1].letter != 0
	}
	return ops, nil
}

// scanQuoted reads quoted text from just after an opening quote up to the
// closing one, turning a doubled quote into one. It returns the position
// after the closing quote.
func scanQuoted(pattern string, i int) (end int, text []byte, ok bool) {
	for i < len(pattern) {
		if pattern[i] != '\'' {
			text = append(text, pattern[i])
			i++
			continue
		}
		if i+1 < len(pattern) && pattern[i+1] == '\'' {
			text = append(text, '\'')
			i += 2
			continue
		}
		return i + 1, text, true
	}
	return i, nil, false
}
