package element

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// epochMillisPattern stands for milliseconds since the Unix epoch, in
// vendor configurations that keep dates as numbers.
const epochMillisPattern = "milliseconds"

// maxXCount is the longest run of X Java accepts (XXX, "-07:00").
const maxXCount = 3

// DateFormat reads and writes dates with a Java SimpleDateFormat pattern,
// compiled once by [NewDateFormat]. It is immutable and safe for
// concurrent use.
//
// The pattern letters are Java's, with Java's count rules: G era (AD/BC);
// y year and Y ISO week-year (yy is two digits, other counts pad with
// zeros); M and L month (M and MM a number, MMM "Jul", MMMM "July"); w ISO
// week of the year and W week of the month; D day of the year; d day of the
// month; F day-of-week in the month; E day name (up to EEE "Wed", EEEE
// "Wednesday"); u day number (1 is Monday); a AM/PM; H hour 0-23, k 1-24,
// K 0-11, h 1-12; m minute; s second; S millisecond; z zone name ("PDT";
// zzzz "Pacific Daylight Time"); Z "-0700"; X "-07" (or "Z" at UTC), XX
// "-0700", XXX "-07:00". Text in single quotes is literal, and a doubled
// single quote is a quote, inside or outside quoted text. Any other ASCII letter is an error;
// other characters are literal.
//
// Where Java leaves room or cannot be followed, DateFormat decides:
//
//   - Weeks follow ISO 8601 (weeks start on Monday; week 1 is the first
//     with four days in the year), so Y, w and u give ISO week dates and W
//     counts weeks of the month by the same rule.
//   - A two-digit year (yy, or exactly two digits under y) is read as
//     1969-1999 for 69-99 and 2000-2068 for 00-68, the pivot of POSIX
//     strptime and Go's time package. Java's pivot moves with the clock,
//     and this package never reads the clock.
//   - S formats as Java does, the millisecond value padded to the count
//     ("235" for SSS, "0235" for SSSS, "5" for S at 5 ms). It parses
//     leniently as a decimal fraction of a second whatever the count:
//     ".98" is 980 ms, ".9" 900 ms and ".123456" 123.456 ms; digits past
//     the ninth are read and ignored. Only SSS therefore round-trips every
//     millisecond value.
//   - z prints a zone's abbreviation when it is one of a table of common
//     names (PST, CEST, IST, ...; zzzz "India Standard Time"), and Java's
//     GMT±hh:mm otherwise, so that every formatted value parses back.
//     Zones parse leniently: X reads "Z" or an offset in any of its three
//     forms, and z and Z read those too, a table name, short or long, and
//     GMT, UTC or UT with an optional offset. An ambiguous abbreviation (CST,
//     IST) takes the configured zone's meaning when that zone uses it at
//     that moment, else the US one.
//   - H and k take precedence over h, K and a, as in Java; h or K without
//     a is AM. BC years come from G; years before 1 are never parsed from
//     digits.
//   - Parsing is strict where Java's default lenient Calendar is not:
//     fields must be in range (no 13th month or February 30th), the whole
//     value must match (no trailing text), and fields that repeat
//     information, such as a day name next to a full date, must agree.
//     Like Java, blanks before a field are skipped, numbers are read
//     greedily unless the next pattern item is also a field (yyyyMMdd),
//     and fields missing from the pattern default to 1970-01-01 00:00:00.
type DateFormat struct {
	pattern string
	loc     *time.Location
	ops     []dateOp
	epoch   bool // the milliseconds pattern
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

// NewDateFormat compiles a Java SimpleDateFormat pattern, or the pattern
// "milliseconds" (milliseconds since the Unix epoch), for the given zone (see [LoadLocation]; "" is UTC).
// Values without zone information are read in that zone, and Format writes
// in it. Errors wrap [ErrDateFormat] or [ErrTimeZone] and name the pattern
// or zone, with the byte position of a pattern mistake.
func NewDateFormat(pattern, timezone string) (*DateFormat, error) {
	loc, err := LoadLocation(timezone)
	if err != nil {
		return nil, fmt.Errorf("date format %s: %w", quote(pattern), err)
	}
	return newDateFormat(pattern, loc)
}

func newDateFormat(pattern string, loc *time.Location) (*DateFormat, error) {
	if pattern == epochMillisPattern {
		return &DateFormat{pattern: pattern, loc: loc, epoch: true}, nil
	}
	ops, err := compileDatePattern(pattern)
	if err != nil {
		return nil, err
	}
	return &DateFormat{pattern: pattern, loc: loc, ops: ops}, nil
}

// Pattern returns the pattern the format was compiled from.
func (df *DateFormat) Pattern() string { return df.pattern }

// Location returns the zone values are read and written in.
func (df *DateFormat) Location() *time.Location { return df.loc }

// String returns the pattern, so that formats print readably in logs.
func (df *DateFormat) String() string { return df.pattern }

func compileDatePattern(pattern string) ([]dateOp, error) {
	if pattern == "" {
		return nil, fmt.Errorf("%w: empty pattern", ErrDateFormat)
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
				return nil, unterminatedQuote(pattern, i)
			}
			lit = append(lit, quoted...)
			i = end
		case isASCIILetter(c):
			if !strings.ContainsRune("GyYMLwWDdFEuaHkKhmsSzZX", rune(c)) {
				return nil, fmt.Errorf("%w: unknown pattern letter %q at position %d in %s; quote literal text, as in 'T'",
					ErrDateFormat, c, i, quote(pattern))
			}
			n := 1
			for i+n < len(pattern) && pattern[i+n] == c {
				n++
			}
			if c == 'X' && n > maxXCount {
				return nil, fmt.Errorf("%w: %d X letters at position %d in %s; use X, XX or XXX",
					ErrDateFormat, n, i, quote(pattern))
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

func unterminatedQuote(pattern string, pos int) error {
	hint := "close it with another ' or write '' for a literal quote"
	if pos == len(pattern)-1 {
		hint = "remove the trailing ' or close it"
	}
	return fmt.Errorf("%w: unterminated quote at position %d in %s; %s", ErrDateFormat, pos, quote(pattern), hint)
}

// Format returns t, in the format's zone, written with the pattern.
func (df *DateFormat) Format(t time.Time) string {
	var buf [64]byte
	return string(df.AppendFormat(buf[:0], t))
}

// AppendFormat is like [DateFormat.Format] but appends to b.
func (df *DateFormat) AppendFormat(b []byte, t time.Time) []byte {
	if df.epoch {
		return strconv.AppendInt(b, t.UnixMilli(), 10)
	}
	t = t.In(df.loc)
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	for i := range df.ops {
		o := &df.ops[i]
		switch o.letter {
		case 0:
			b = append(b, o.lit...)
		case 'G':
			b = append(b, eraNames[boolInt(year > 0)]...)
		case 'y':
			b = appendYear(b, year, o.count)
		case 'Y':
			wy, _ := t.ISOWeek()
			b = appendYear(b, wy, o.count)
		case 'M', 'L':
			b = appendMonth(b, month, o.count)
		case 'w':
			_, w := t.ISOWeek()
			b = appendPadded(b, w, o.count)
		case 'W':
			b = appendPadded(b, weekOfMonth(day, t.Weekday()), o.count)
		case 'D':
			b = appendPadded(b, t.YearDay(), o.count)
		case 'd':
			b = appendPadded(b, day, o.count)
		case 'F':
			b = appendPadded(b, (day-1)/7+1, o.count)
		case 'E':
			if o.count <= 3 {
				b = append(b, dayNames[t.Weekday()+7]...)
			} else {
				b = append(b, dayNames[t.Weekday()]...)
			}
		case 'u':
			b = appendPadded(b, isoWeekday(t.Weekday()), o.count)
		case 'a':
			b = append(b, amPMNames[boolInt(hour >= 12)]...)
		case 'H':
			b = appendPadded(b, hour, o.count)
		case 'k':
			b = appendPadded(b, (hour+23)%24+1, o.count)
		case 'K':
			b = appendPadded(b, hour%12, o.count)
		case 'h':
			b = appendPadded(b, (hour+11)%12+1, o.count)
		case 'm':
			b = appendPadded(b, minute, o.count)
		case 's':
			b = appendPadded(b, sec, o.count)
		case 'S':
			b = appendPadded(b, t.Nanosecond()/int(time.Millisecond), o.count)
		case 'z':
			b = appendZoneName(b, t, o.count >= 4)
		case 'Z':
			_, off := t.Zone()
			b = appendOffset(b, off, true, false)
		case 'X':
			b = appendISOOffset(b, t, o.count)
		}
	}
	return b
}

// appendYear writes a year of the era (Go's year 0 is 1 BC), cut to two
// digits for a count of two as Java does.
func appendYear(b []byte, year, count int) []byte {
	if year <= 0 {
		year = 1 - year
	}
	if count == 2 {
		return appendPadded(b, year%100, 2)
	}
	return appendPadded(b, year, count)
}

func appendMonth(b []byte, m time.Month, count int) []byte {
	switch {
	case count >= 4:
		return append(b, monthNames[m-1]...)
	case count == 3:
		return append(b, monthNames[m+11]...)
	}
	return appendPadded(b, int(m), count)
}

func appendISOOffset(b []byte, t time.Time, count int) []byte {
	_, off := t.Zone()
	if off/60 == 0 {
		return append(b, 'Z')
	}
	return appendOffset(b, off, count >= 2, count == 3)
}

// appendPadded writes v in decimal with at least width digits.
func appendPadded(b []byte, v, width int) []byte {
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = -u
	}
	var digits [20]byte
	i := len(digits)
	for {
		i--
		digits[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	for n := len(digits) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, digits[i:]...)
}

// isoWeekday numbers days as the u letter does: Monday is 1, Sunday 7.
func isoWeekday(d time.Weekday) int {
	if d == time.Sunday {
		return 7
	}
	return int(d)
}

// weekOfMonth numbers the weeks of a month by ISO rules (Java's
// Calendar.weekNumber with Monday first and four minimal days): days
// before week 1 are in week 0.
func weekOfMonth(day int, wd time.Weekday) int {
	first := (isoWeekday(wd) - day%7 + 7) % 7 // weekday of the 1st, Monday 0
	week := (day + first - 1) / 7
	if 7-first >= 4 {
		week++
	}
	return week
}

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// hasPrefixFold is strings.HasPrefix ignoring ASCII case, without the
// allocation strings.ToLower would make.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := s[i], prefix[i]
		if a|0x20 != b|0x20 || (a != b && !isASCIILetter(a)) {
			return false
		}
	}
	return true
}
