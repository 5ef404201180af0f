package javatime

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzPatterns seeds the fuzzers: the JDK documentation's table and the
// patterns vendor configurations use.
var fuzzPatterns = []string{
	"yyyy.MM.dd G 'at' HH:mm:ss z",
	"EEE, MMM d, ''yy",
	"h:mm a",
	"hh 'o''clock' a, zzzz",
	"K:mm a, z",
	"yyyyy.MMMMM.dd GGG hh:mm aaa",
	"EEE, d MMM yyyy HH:mm:ss Z",
	"yyMMddHHmmssZ",
	"yyyy-MM-dd'T'HH:mm:ss.SSSZ",
	"yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
	"YYYY-'W'ww-u",
	"yyyy-MM-dd'T'HH:mm:ss",
	"yyyy-MM-dd'T'HH:mm:ss'",
	"yyyyMMddHHmmssSSS",
	"EEEE, dd MMMM yyyy kk:mm:ss.SSS zzzz",
	"yyyy-MM-dd D w W F u HH:mm:ss XX",
	"d M yyyyH m s", // a fixed-width year between unpadded numbers
	"milliseconds",
}

// fuzzZones are the zones the fuzzers pick from. Only the fixed ones are
// used for round trips: a wall time in a zone with daylight saving time
// can be ambiguous, and LMT offsets have seconds no pattern keeps.
var fuzzZones = []string{"", "GMT", "GMT+05:30", "EST", "America/Los_Angeles", "Asia/Shanghai", "Europe/Dublin"}

const fuzzFixedZones = 4 // fuzzZones[:4] have a fixed offset

// Years 1 to 9999 in any of the fixed zones.
var (
	fuzzMinTime = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)
	fuzzMaxTime = time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)
)

func FuzzNewLayout(f *testing.F) {
	for i, p := range fuzzPatterns {
		f.Add(p, uint8(i), "2001-07-04T12:08:56.235-07:00", int64(994273736), uint32(235_000_000))
	}
	f.Add("'", uint8(0), "", int64(0), uint32(0))
	f.Add("yyyy''MM'x", uint8(1), "2001'07", int64(-1<<62), uint32(999_999_999))
	f.Fuzz(func(t *testing.T, pattern string, zone uint8, value string, sec int64, nsec uint32) {
		z := int(zone) % len(fuzzZones)
		df, err := NewLayout(pattern, fuzzZones[z])
		if err != nil {
			var pe *PatternError
			if !errors.Is(err, ErrPattern) || !errors.As(err, &pe) || df != nil {
				t.Fatalf("NewLayout(%q) = %v, %v; want a *PatternError", pattern, df, err)
			}
			return
		}
		if parsed, err := df.Parse(value); err == nil {
			_ = df.Format(parsed)
		} else if !errors.Is(err, ErrParse) {
			t.Fatalf("Parse(%q) error %v does not wrap ErrParse", value, err)
		}
		_ = df.Format(time.Unix(sec, int64(nsec)))

		precision, ok := roundTripPrecision(df)
		if !ok || z >= fuzzFixedZones {
			return
		}
		checkRoundTrip(t, df, fuzzTime(sec, nsec), precision)
	})
}

func FuzzLayoutParse(f *testing.F) {
	for i, p := range fuzzPatterns {
		df, err := NewLayout(p, "America/Los_Angeles")
		if err != nil {
			continue
		}
		f.Add(uint8(i), uint8(4), df.Format(time.Date(2001, 7, 4, 12, 8, 56, 235_000_000, time.UTC)))
	}
	for _, v := range []string{"", "2026-11-24T13:45:07", "2026-11-24T13:45:07.98", "2026-02-30T00:00:00",
		"\xff\xfe", "99999999999999999999", "-9223372036854775808", "Wed, 4 Jul 2001 12:08:56 GMT+05:30"} {
		f.Add(uint8(11), uint8(0), v)
	}
	f.Fuzz(func(t *testing.T, pattern, zone uint8, value string) {
		z := int(zone) % len(fuzzZones)
		df, err := NewLayout(fuzzPatterns[int(pattern)%len(fuzzPatterns)], fuzzZones[z])
		if err != nil {
			return // the stray-quote pattern
		}
		parsed, err := df.Parse(value)
		if err != nil {
			if !errors.Is(err, ErrParse) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrParse", value, err)
			}
			return
		}
		_ = df.Format(parsed)
		// Whatever parsed, once written in canonical form, parses back.
		precision, ok := roundTripPrecision(df)
		if ok && z < fuzzFixedZones && !parsed.Before(fuzzMinTime) && parsed.Before(fuzzMaxTime) {
			checkRoundTrip(t, df, parsed, precision)
		}
	})
}

// fuzzTime spreads fuzzed integers over years 1 to 9999. The mixing
// matters: the fuzzer mutates integers by small steps and bit flips, which
// alone would keep the times near the edges of the range.
func fuzzTime(sec int64, nsec uint32) time.Time {
	x := uint64(sec) * 0x9e3779b97f4a7c15 // splitmix64's finalizer
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	x ^= x >> 31
	span := uint64(fuzzMaxTime.Sub(fuzzMinTime) / time.Second)
	return fuzzMinTime.Add(time.Duration(x%span)*time.Second + time.Duration(nsec%1e9))
}

func checkRoundTrip(t *testing.T, df *Layout, at time.Time, precision time.Duration) {
	t.Helper()
	want := at.Truncate(precision)
	s := df.Format(at)
	got, err := df.Parse(s)
	if err != nil {
		t.Fatalf("pattern %q: Parse(Format(%v)) = Parse(%q): %v", df.pattern, at, s, err)
	}
	if !got.Equal(want) {
		t.Fatalf("pattern %q: Parse(Format(%v)) = Parse(%q) = %v, want %v", df.pattern, at, s, got, want)
	}
}

// numberWidths is the widest each numeric field prints for years 1-9999;
// a field read at a fixed width narrower than that loses digits.
var numberWidths = map[byte]int{
	'y': 4, 'Y': 4, 'M': 2, 'L': 2, 'w': 2, 'W': 1, 'D': 3, 'd': 2, 'F': 1, 'u': 1,
	'H': 2, 'k': 2, 'K': 2, 'h': 2, 'm': 2, 's': 2, 'S': 3,
}

// roundTripPrecision reports whether every instant in years 1-9999, in a
// fixed zone, survives Format then Parse with the pattern, and to what
// precision. That takes a full date and time, and no item that can read
// into its neighbour.
func roundTripPrecision(df *Layout) (time.Duration, bool) {
	if df.epoch {
		return time.Millisecond, true
	}
	has := map[byte]bool{}
	precision := time.Second
	for i, o := range df.ops {
		if o.letter == 0 {
			continue
		}
		has[o.letter] = true
		var next byte // first byte after the field, 0 for another field or the end
		if i+1 < len(df.ops) && df.ops[i+1].letter == 0 {
			next = df.ops[i+1].lit[0]
		}
		text := o.letter == 'G' || o.letter == 'E' || o.letter == 'a' || (o.letter == 'M' || o.letter == 'L') && o.count >= 3
		zone := o.letter == 'z' || o.letter == 'Z' || o.letter == 'X'
		switch {
		case zone:
			// Offsets and zone names run into digits, letters, signs and
			// colons, and X alone drops the minutes of +05:30.
			if i+1 < len(df.ops) && next == 0 || isASCIILetter(next) || isASCIIDigit(next) ||
				strings.IndexByte("+-:", next) >= 0 || o.letter == 'X' && o.count == 1 {
				return 0, false
			}
		case text:
			if isASCIILetter(next) {
				return 0, false
			}
		default:
			// A two-digit or one-letter year is read through the pivot,
			// S other than SSS as a fraction, and a number runs on into
			// digits after it.
			if (o.letter == 'y' || o.letter == 'Y') && o.count < 3 && !(o.letter == 'Y' && o.count == 2) ||
				o.letter == 'S' && o.count != 3 ||
				o.fixed && o.count < numberWidths[o.letter] || isASCIIDigit(next) {
				return 0, false
			}
			if o.letter == 'S' {
				precision = time.Millisecond
			}
		}
	}
	hour := has['H'] || has['k'] || (has['h'] || has['K']) && has['a']
	if !has['y'] || !(has['M'] || has['L']) || !has['d'] || !hour || !has['m'] || !has['s'] {
		return 0, false
	}
	return precision, true
}
