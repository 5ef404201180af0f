package javatime

import (
	"strconv"
	"time"
)

// Format returns t, in the layout's zone, written with the pattern.
func (l *Layout) Format(t time.Time) string {
	var buf [64]byte
	return string(l.AppendFormat(buf[:0], t))
}

// AppendFormat is like [Layout.Format] but appends to b.
func (l *Layout) AppendFormat(b []byte, t time.Time) []byte {
	if l.epoch {
		return strconv.AppendInt(b, t.UnixMilli(), 10)
	}
	t = t.In(l.loc)
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	for i := range l.ops {
		o := &l.ops[i]
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
