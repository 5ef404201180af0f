package javatime

import (
	"fmt"
	"time"
)

// Bits of dateFields.set: which fields a value supplied.
const (
	setEra = 1 << iota
	setYear
	setWeekYear
	setWeekYear2 // the week-year was given as two digits
	setMonth
	setDay
	setYearDay
	setWeek
	setWeekOfMonth
	setDowInMonth
	setWeekday
	setHour24
	setHour12
	setAMPM
	setZone
)

// Numeric fields have at most maxFieldDigits significant digits, so that
// arithmetic on them cannot overflow; no field is legitimately larger.
const (
	maxFieldDigits = 9
	maxFieldNumber = 999_999_999
)

// dateFields collects the fields of a value as the pattern is matched.
type dateFields struct {
	set                                    int
	bc, pm                                 bool
	year, weekYear, month, day, yearDay    int
	week, weekOfMonth, dowInMonth, weekday int     // weekday: 1 is Monday, 7 Sunday
	hour, hour12, minute, sec, nsec        int     // hour is H or k, hour12 h or K
	offset                                 int     // seconds east of UTC, with setZone
	zoneName                               nameRef // a zone name read, or set -1
}

// Parse reads a value written with the pattern. A value without zone
// information is read in the layout's zone, a local time that happens
// twice or never as Java reads it (see the package documentation); one
// with a zone is read at its own offset and returned in the layout's zone
// when that has the same offset at that instant, else in a fixed zone.
// The error is a [*ParseError] (errors.Is [ErrParse]).
func (l *Layout) Parse(s string) (time.Time, error) {
	if l.epoch {
		t, why, pos := parseEpochMillis(s)
		if why != "" {
			return time.Time{}, &ParseError{Value: s, Pattern: l.pattern, Pos: pos, why: why}
		}
		return t.In(l.loc), nil
	}
	f := dateFields{zoneName: nameRef{set: -1}}
	pos := 0
	for i := range l.ops {
		o := &l.ops[i]
		if o.letter == 0 {
			if len(s)-pos < len(o.lit) || s[pos:pos+len(o.lit)] != o.lit {
				return time.Time{}, l.parseError(s, pos, "want "+quote(o.lit))
			}
			pos += len(o.lit)
			continue
		}
		for pos < len(s) && (s[pos] == ' ' || s[pos] == '\t') {
			pos++
		}
		end, why := f.parseField(s, pos, o, l.own)
		if why != "" {
			return time.Time{}, l.parseError(s, pos, why)
		}
		pos = end
	}
	if pos != len(s) {
		return time.Time{}, l.parseError(s, pos, "unexpected trailing text")
	}
	t, why := f.resolve(l)
	if why != "" {
		return time.Time{}, l.parseError(s, -1, why)
	}
	return t, nil
}

func (l *Layout) parseError(s string, pos int, why string) error {
	return &ParseError{Value: s, Pattern: l.pattern, Pos: pos, why: why}
}

// parseField reads one field at s[pos:] and returns the position after it,
// or why it does not match.
func (f *dateFields) parseField(s string, pos int, o *dateOp, own int) (int, string) {
	switch o.letter {
	case 'G':
		i, end := matchName(s, pos, eraNames[:])
		if i < 0 {
			return pos, "want AD or BC"
		}
		f.set |= setEra
		f.bc = i == 0
		return end, ""
	case 'M', 'L':
		if o.count >= 3 {
			i, end := matchName(s, pos, monthNames[:])
			if i < 0 {
				return pos, "want a month name"
			}
			f.set |= setMonth
			f.month = i%12 + 1
			return end, ""
		}
	case 'E':
		i, end := matchName(s, pos, dayNames[:])
		if i < 0 {
			return pos, "want a day name"
		}
		f.set |= setWeekday
		f.weekday = isoWeekday(time.Weekday(i % 7))
		return end, ""
	case 'a':
		i, end := matchName(s, pos, amPMNames[:])
		if i < 0 {
			return pos, "want AM or PM"
		}
		f.set |= setAMPM
		f.pm = i == 1
		return end, ""
	case 'S':
		end := digitsEnd(s, pos, o)
		if end == pos {
			return pos, "want digits of a fraction of a second"
		}
		f.nsec = fractionNanos(s[pos:end])
		return end, ""
	case 'z', 'Z', 'X':
		end, ok := f.scanZone(s, pos, o.letter, own)
		if !ok {
			return pos, "want a time zone"
		}
		f.set |= setZone
		return end, ""
	}
	return f.parseNumber(s, pos, o)
}

// parseNumber reads the numeric fields and checks their ranges.
func (f *dateFields) parseNumber(s string, pos int, o *dateOp) (int, string) {
	end := digitsEnd(s, pos, o)
	if end == pos {
		return pos, "want digits"
	}
	first := pos // first significant digit: yyyyyyyyyy pads with zeros
	for first < end-1 && s[first] == '0' {
		first++
	}
	if end-first > maxFieldDigits {
		return pos, "number too large"
	}
	v := 0
	for i := first; i < end; i++ {
		v = v*10 + int(s[i]-'0')
	}
	lo, hi := 0, maxFieldNumber
	switch o.letter {
	case 'y', 'Y':
		// Java reads exactly two digits under y or yy as an abbreviated
		// year; other widths are taken literally.
		twoDigits := o.count <= 2 && end-pos == 2
		if twoDigits {
			v = pivotYear(v)
		}
		lo = 1
		if o.letter == 'y' {
			f.set |= setYear
			f.year = v
		} else {
			f.set |= setWeekYear
			if twoDigits {
				f.set |= setWeekYear2
			}
			f.weekYear = v
		}
	case 'M', 'L':
		f.set |= setMonth
		f.month, lo, hi = v, 1, 12
	case 'w':
		f.set |= setWeek
		f.week, lo, hi = v, 1, 53
	case 'W':
		f.set |= setWeekOfMonth
		f.weekOfMonth, hi = v, 6
	case 'D':
		f.set |= setYearDay
		f.yearDay, lo, hi = v, 1, 366
	case 'd':
		f.set |= setDay
		f.day, lo, hi = v, 1, 31
	case 'F':
		f.set |= setDowInMonth
		f.dowInMonth, lo, hi = v, 1, 5
	case 'u':
		f.set |= setWeekday
		f.weekday, lo, hi = v, 1, 7
	case 'H':
		f.set |= setHour24
		f.hour, hi = v, 23
	case 'k':
		f.set |= setHour24
		f.hour, lo, hi = v%24, 1, 24
	case 'K':
		f.set |= setHour12
		f.hour12, hi = v, 11
	case 'h':
		f.set |= setHour12
		f.hour12, lo, hi = v%12, 1, 12
	case 'm':
		f.minute, hi = v, 59
	case 's':
		f.sec, hi = v, 59
	}
	if v < lo || v > hi {
		return pos, fmt.Sprintf("%c %d out of range %d-%d", o.letter, v, lo, hi)
	}
	return end, ""
}

// scanZone reads a zone at s[pos:] for the z, Z and X letters. X (ISO
// 8601) takes "Z" or a numeric offset; z and Z also take GMT, UTC or UT
// with an optional offset, and the zone names of the JDK (see
// matchZoneName; own is the set of the layout's zone).
func (f *dateFields) scanZone(s string, pos int, letter byte, own int) (int, bool) {
	if pos >= len(s) {
		return pos, false
	}
	f.offset, f.zoneName = 0, nameRef{set: -1}
	switch c := s[pos]; {
	case c == 'Z':
		return pos + 1, true
	case c == '+' || c == '-':
		off, end, ok := scanOffset(s, pos)
		f.offset = off
		return end, ok
	case letter == 'X':
		return pos, false
	}
	for _, p := range [...]string{"GMT", "UTC", "UT"} { // UTC before UT
		if hasPrefixFold(s[pos:], p) {
			end := pos + len(p)
			if off, e, ok := scanOffset(s, end); ok {
				f.offset = off
				return e, true
			}
			return end, true
		}
	}
	ref, end, ok := matchZoneName(s, pos, own)
	if ok {
		f.zoneName = ref
	}
	return end, ok
}

// digitsEnd returns the end of the run of digits at s[pos:], at most count
// long for a fixed-width field.
func digitsEnd(s string, pos int, o *dateOp) int {
	end := pos
	for end < len(s) && isASCIIDigit(s[end]) && (!o.fixed || end-pos < o.count) {
		end++
	}
	return end
}

// fractionNanos reads digits as the decimal fraction of a second after the
// point: "98" is 980ms, "123456" 123.456ms; digits past the ninth are
// ignored.
func fractionNanos(digits string) int {
	ns := 0
	for i := range 9 {
		ns *= 10
		if i < len(digits) {
			ns += int(digits[i] - '0')
		}
	}
	return ns
}

// pivotYear reads a two-digit year: 69-99 are 1969-1999, 00-68 are
// 2000-2068 (see the package documentation).
func pivotYear(yy int) int {
	if yy >= 69 {
		return 1900 + yy
	}
	return 2000 + yy
}

// matchName finds the longest of names that starts s[pos:], ignoring
// case, and returns its index and end, or -1.
func matchName(s string, pos int, names []string) (int, int) {
	best, end := -1, pos
	for i, name := range names {
		if pos+len(name) > end && hasPrefixFold(s[pos:], name) {
			best, end = i, pos+len(name)
		}
	}
	return best, end
}

// Names in Java's Locale.US. Parsing accepts the full and short forms
// whatever the count, as Java does.
var (
	eraNames   = [...]string{"BC", "AD"}
	amPMNames  = [...]string{"AM", "PM"}
	monthNames = [...]string{ // full, then short, January first
		"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December",
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	}
	dayNames = [...]string{ // full, then short, Sunday first as time.Weekday
		"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	}
)

// parseEpochMillis reads the milliseconds pattern: an optionally negative
// count of milliseconds since the Unix epoch. It returns why and where it
// does not match.
func parseEpochMillis(s string) (t time.Time, why string, pos int) {
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" {
		return time.Time{}, "want milliseconds since the epoch", -1
	}
	var ms int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if !isASCIIDigit(c) {
			return time.Time{}, "want digits", len(s) - len(digits) + i
		}
		if ms > (1<<63-1-int64(c-'0'))/10 {
			return time.Time{}, "out of range", -1
		}
		ms = ms*10 + int64(c-'0')
	}
	if len(digits) < len(s) {
		ms = -ms
	}
	return time.UnixMilli(ms), "", 0
}
