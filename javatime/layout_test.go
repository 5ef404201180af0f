package javatime_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/javatime"
)

// jdkTime is the instant of the JDK SimpleDateFormat documentation's
// examples: 2001-07-04 12:08:56.235 in America/Los_Angeles.
func jdkTime(t *testing.T) time.Time {
	t.Helper()
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	return time.Date(2001, 7, 4, 12, 8, 56, 235*int(time.Millisecond), la)
}

// TestDateFormatJDKExamples formats the JDK documentation's table exactly
// and parses each result back. Patterns that drop fields parse back to
// what they keep: missing date fields default to 1970-01-01 (as in Java),
// missing time fields to zero.
func TestLayoutJDKExamples(t *testing.T) {
	t.Parallel()
	ref := jdkTime(t)
	la := ref.Location()
	pdt := time.FixedZone("PDT", -7*3600)
	tests := []struct {
		pattern string
		want    string
		parsed  time.Time
	}{
		{"yyyy.MM.dd G 'at' HH:mm:ss z", "2001.07.04 AD at 12:08:56 PDT", ref.Truncate(time.Second)},
		// No time of day: midnight on the date.
		{"EEE, MMM d, ''yy", "Wed, Jul 4, '01", time.Date(2001, 7, 4, 0, 0, 0, 0, la)},
		// No date: Java's default day, 1970-01-01, in the configured zone.
		{"h:mm a", "12:08 PM", time.Date(1970, 1, 1, 12, 8, 0, 0, la)},
		// The zone name gives the offset; 1970-01-01 in Los Angeles was
		// PST, so PDT is kept as a fixed -07:00.
		{"hh 'o''clock' a, zzzz", "12 o'clock PM, Pacific Daylight Time", time.Date(1970, 1, 1, 12, 0, 0, 0, pdt)},
		{"K:mm a, z", "0:08 PM, PDT", time.Date(1970, 1, 1, 12, 8, 0, 0, pdt)},
		{"yyyyy.MMMMM.dd GGG hh:mm aaa", "02001.July.04 AD 12:08 PM", ref.Truncate(time.Minute)},
		{"EEE, d MMM yyyy HH:mm:ss Z", "Wed, 4 Jul 2001 12:08:56 -0700", ref.Truncate(time.Second)},
		{"yyMMddHHmmssZ", "010704120856-0700", ref.Truncate(time.Second)},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2001-07-04T12:08:56.235-0700", ref},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2001-07-04T12:08:56.235-07:00", ref},
		// An ISO week date: week-year, week and day of the week.
		{"YYYY-'W'ww-u", "2001-W27-3", time.Date(2001, 7, 4, 0, 0, 0, 0, la)},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			df, err := javatime.NewLayout(tt.pattern, "America/Los_Angeles")
			require.NoError(t, err)
			require.Equal(t, tt.want, df.Format(ref))
			got, err := df.Parse(tt.want)
			require.NoError(t, err)
			require.True(t, tt.parsed.Equal(got), "parsed %v, want %v", got, tt.parsed)
			_, gotOff := got.Zone()
			_, wantOff := tt.parsed.Zone()
			require.Equal(t, wantOff, gotOff, "offset of %v", got)
		})
	}
}

func TestLayoutFormat(t *testing.T) {
	t.Parallel()
	ref := jdkTime(t)
	tests := []struct {
		name, pattern, zone, want string
	}{
		{"quoted letters", "'yyyy' yyyy", "America/Los_Angeles", "yyyy 2001"},
		{"quote outside quotes", "''yy''", "America/Los_Angeles", "'01'"},
		{"quote inside quotes", "'it''s' h a", "America/Los_Angeles", "it's 12 PM"},
		{"only quotes", "''", "", "'"},
		{"quoted quote at the end", "'a'''", "", "a'"},
		{"adjacent quoted runs", "'a''b'''", "", "a'b'"},
		{"non-ASCII literals", "yyyy年MM月dd日", "America/Los_Angeles", "2001年07月04日"},
		{"punctuation is literal", "[dd/MM] {HH}", "America/Los_Angeles", "[04/07] {12}"},
		{"M", "M", "America/Los_Angeles", "7"},
		{"MM", "MM", "America/Los_Angeles", "07"},
		{"MMM", "MMM", "America/Los_Angeles", "Jul"},
		{"MMMM", "MMMM", "America/Los_Angeles", "July"},
		{"LLL", "LLL", "America/Los_Angeles", "Jul"},
		{"y", "y", "America/Los_Angeles", "2001"},
		{"yy", "yy", "America/Los_Angeles", "01"},
		{"yyy", "yyy", "America/Los_Angeles", "2001"},
		{"yyyyyy", "yyyyyy", "America/Los_Angeles", "002001"},
		{"YY", "YY", "America/Los_Angeles", "01"},
		{"d", "d", "America/Los_Angeles", "4"},
		{"dd", "dd", "America/Los_Angeles", "04"},
		{"D", "D DDDD", "America/Los_Angeles", "185 0185"},
		{"E", "E EE EEE", "America/Los_Angeles", "Wed Wed Wed"},
		{"EEEE", "EEEE", "America/Los_Angeles", "Wednesday"},
		{"u", "u", "America/Los_Angeles", "3"},
		{"w", "w ww", "America/Los_Angeles", "27 27"},
		// July 2001 starts on a Sunday: by ISO rules that day is week 0
		// and week 1 starts on July 2nd.
		{"W", "W", "America/Los_Angeles", "1"},
		{"F", "F", "America/Los_Angeles", "1"},
		{"G", "G GGGG", "America/Los_Angeles", "AD AD"},
		{"hours", "H k K h", "America/Los_Angeles", "12 12 0 12"},
		{"HH", "HH:mm:ss", "America/Los_Angeles", "12:08:56"},
		{"S is Java's zero-padded milliseconds", "S SS SSS SSSS", "America/Los_Angeles", "235 235 235 0235"},
		{"z", "z zz zzz", "America/Los_Angeles", "PDT PDT PDT"},
		{"zzzz", "zzzz", "America/Los_Angeles", "Pacific Daylight Time"},
		{"Z", "Z ZZZZ", "America/Los_Angeles", "-0700 -0700"},
		{"X", "X XX XXX", "America/Los_Angeles", "-07 -0700 -07:00"},
		{"X at UTC", "X XX XXX", "", "Z Z Z"},
		{"z at UTC", "z zzzz", "UTC", "UTC Coordinated Universal Time"},
		{"z at GMT", "z zzzz", "GMT", "GMT Greenwich Mean Time"},
		{"z of an offset zone", "z zzzz", "GMT+05:30", "GMT+05:30 GMT+05:30"},
		{"X drops minutes", "X", "+05:30", "+05"},
		{"a name the JDK has and tzdata has not", "z zzzz", "Asia/Dubai", "GST Gulf Standard Time"},
		{"a zone the JDK names by its offset", "z zzzz", "Etc/GMT-4", "GMT+04:00 GMT+04:00"},
		{"Lord Howe in winter", "z zzzz", "Australia/Lord_Howe", "LHST Lord Howe Standard Time"},
		{"India", "z zzzz", "Asia/Kolkata", "IST India Standard Time"},
		{"Ireland in summer", "z zzzz", "Europe/Dublin", "IST Irish Standard Time"},
		{"China", "z zzzz", "Asia/Shanghai", "CST China Standard Time"},
		{"Java fixed EST", "z zzzz", "EST", "EST Eastern Standard Time"},
		{"milliseconds", "milliseconds", "America/Los_Angeles", "994273736235"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			df, err := javatime.NewLayout(tt.pattern, tt.zone)
			require.NoError(t, err)
			require.Equal(t, tt.want, df.Format(ref))
			require.Equal(t, "x"+tt.want, string(df.AppendFormat([]byte("x"), ref)))
		})
	}
}

func TestLayoutFormatEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pattern string
		t             time.Time
		want          string
	}{
		{"midnight", "H k K h a", time.Date(2001, 1, 1, 0, 5, 0, 0, time.UTC), "0 24 0 12 AM"},
		{"noon", "H k K h a", time.Date(2001, 1, 1, 12, 5, 0, 0, time.UTC), "12 12 0 12 PM"},
		{"evening", "H k K h a", time.Date(2001, 1, 1, 23, 5, 0, 0, time.UTC), "23 23 11 11 PM"},
		{"S unpadded as in Java", "s.S", time.Date(2001, 1, 1, 0, 0, 7, 5*int(time.Millisecond), time.UTC), "7.5"},
		{"week-year before the year", "YYYY-'W'ww-u yyyy", time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC), "2004-W53-6 2005"},
		{"week-year after the year", "YYYY-'W'ww-u yyyy", time.Date(2001, 12, 31, 0, 0, 0, 0, time.UTC), "2002-W01-1 2001"},
		// Weeks of the month by ISO rules: a first week of three days or
		// fewer is week 0.
		{"short first week of the month", "yyyy-MM-dd W F", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), "2026-02-01 0 1"},
		{"long first week of the month", "yyyy-MM-dd W F", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-01-01 1 1"},
		{"last week of the month", "yyyy-MM-dd W F", time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), "2026-03-31 5 5"},
		{"week 1 from Monday 2nd", "yyyy-MM-dd W F", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), "2026-03-02 1 1"},
		{"before Christ", "yyyy G", time.Date(-43, 3, 15, 0, 0, 0, 0, time.UTC), "0044 BC"},
		{"year 10000", "yyyy-MM-dd", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "10000-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			df, err := javatime.NewLayout(tt.pattern, "")
			require.NoError(t, err)
			require.Equal(t, tt.want, df.Format(tt.t))
		})
	}
}

func TestLayoutParse(t *testing.T) {
	t.Parallel()
	utc := func(year int, month time.Month, day, hour, minute, sec, nsec int) time.Time {
		return time.Date(year, month, day, hour, minute, sec, nsec, time.UTC)
	}
	const iso = "yyyy-MM-dd'T'HH:mm:ss"
	tests := []struct {
		name, pattern, zone, value string
		want                       time.Time
	}{
		{"WooCommerce", iso, "GMT", "2026-11-24T13:45:07", utc(2026, 11, 24, 13, 45, 7, 0)},
		{"configured zone", iso, "America/New_York", "2026-07-04T13:45:07", utc(2026, 7, 4, 17, 45, 7, 0)},
		{"no zone is UTC", iso, "", "2026-07-04T13:45:07", utc(2026, 7, 4, 13, 45, 7, 0)},
		{"offset beats the zone", iso + "XXX", "Asia/Tokyo", "2026-07-04T13:45:07+02:00", utc(2026, 7, 4, 11, 45, 7, 0)},

		{"fraction .98 under SSS", iso + ".SSS", "", "2026-01-02T03:04:05.98", utc(2026, 1, 2, 3, 4, 5, 980_000_000)},
		{"fraction .9 under SSS", iso + ".SSS", "", "2026-01-02T03:04:05.9", utc(2026, 1, 2, 3, 4, 5, 900_000_000)},
		{"fraction .123456 under SSS", iso + ".SSS", "", "2026-01-02T03:04:05.123456", utc(2026, 1, 2, 3, 4, 5, 123_456_000)},
		{"fraction past nanoseconds", iso + ".SSS", "", "2026-01-02T03:04:05.1234567891", utc(2026, 1, 2, 3, 4, 5, 123_456_789)},
		{"fraction under S", iso + ".S", "", "2026-01-02T03:04:05.235", utc(2026, 1, 2, 3, 4, 5, 235_000_000)},
		{"fraction then zone", iso + ".SSSZ", "", "2026-01-02T03:04:05.5+0100", utc(2026, 1, 2, 2, 4, 5, 500_000_000)},

		{"12 AM is midnight", "yyyy-MM-dd hh:mm a", "", "2026-01-02 12:30 AM", utc(2026, 1, 2, 0, 30, 0, 0)},
		{"12 PM is noon", "yyyy-MM-dd hh:mm a", "", "2026-01-02 12:30 PM", utc(2026, 1, 2, 12, 30, 0, 0)},
		{"1 PM", "yyyy-MM-dd h:mm a", "", "2026-01-02 1:30 pm", utc(2026, 1, 2, 13, 30, 0, 0)},
		{"K 0 PM", "yyyy-MM-dd K:mm a", "", "2026-01-02 0:30 PM", utc(2026, 1, 2, 12, 30, 0, 0)},
		{"h without a is AM", "yyyy-MM-dd h:mm", "", "2026-01-02 11:30", utc(2026, 1, 2, 11, 30, 0, 0)},
		{"k 24 is midnight", "yyyy-MM-dd kk:mm", "", "2026-01-02 24:00", utc(2026, 1, 2, 0, 0, 0, 0)},
		{"H wins over a", "yyyy-MM-dd HH:mm a", "", "2026-01-02 13:00 AM", utc(2026, 1, 2, 13, 0, 0, 0)},

		{"yy 68", "yy-MM-dd", "", "68-01-02", utc(2068, 1, 2, 0, 0, 0, 0)},
		{"yy 69", "yy-MM-dd", "", "69-01-02", utc(1969, 1, 2, 0, 0, 0, 0)},
		{"yy 00", "yy-MM-dd", "", "00-01-02", utc(2000, 1, 2, 0, 0, 0, 0)},
		{"yy 99", "yy-MM-dd", "", "99-01-02", utc(1999, 1, 2, 0, 0, 0, 0)},
		{"y two digits", "y-MM-dd", "", "01-01-02", utc(2001, 1, 2, 0, 0, 0, 0)},
		{"yy four digits is literal", "yy-MM-dd", "", "1901-01-02", utc(1901, 1, 2, 0, 0, 0, 0)},
		{"y one digit is literal", "y-MM-dd", "", "7-01-02", utc(7, 1, 2, 0, 0, 0, 0)},
		{"yyyy two digits is literal", "yyyy-MM-dd", "", "07-01-02", utc(7, 1, 2, 0, 0, 0, 0)},

		{"abutting fields", "yyyyMMddHHmmss", "", "20260102030405", utc(2026, 1, 2, 3, 4, 5, 0)},
		{"leading zeros do not count as digits", "yyyy-MM-dd", "", "0000000000000000002026-01-02", utc(2026, 1, 2, 0, 0, 0, 0)},
		{"blanks before fields", "yyyy-MM-dd HH:mm", "", "2026-01-02  \t3:04", utc(2026, 1, 2, 3, 4, 0, 0)},
		{"month names ignore case", "dd MMM yyyy", "", "02 JANUARY 2026", utc(2026, 1, 2, 0, 0, 0, 0)},
		{"short month under MMMM", "dd MMMM yyyy", "", "02 Jan 2026", utc(2026, 1, 2, 0, 0, 0, 0)},
		{"full day under E", "E dd MMM yyyy", "", "Friday 02 Jan 2026", utc(2026, 1, 2, 0, 0, 0, 0)},
		{"leap day", "yyyy-MM-dd", "", "2024-02-29", utc(2024, 2, 29, 0, 0, 0, 0)},
		{"day of year", "yyyy D", "", "2001 185", utc(2001, 7, 4, 0, 0, 0, 0)},
		{"week of month", "yyyy-MM W E", "", "2001-07 1 Wed", utc(2001, 7, 4, 0, 0, 0, 0)},
		{"week 0 of month", "yyyy-MM W E", "", "2001-07 0 Sun", utc(2001, 7, 1, 0, 0, 0, 0)},
		{"day-of-week in month", "yyyy-MM F E", "", "2001-07 2 Wed", utc(2001, 7, 11, 0, 0, 0, 0)},
		{"ISO week 53", "YYYY-'W'ww-u", "", "2004-W53-6", utc(2005, 1, 1, 0, 0, 0, 0)},
		{"ISO week in the year before", "YYYY-'W'ww-u", "", "2002-W01-1", utc(2001, 12, 31, 0, 0, 0, 0)},
		{"week with y", "yyyy ww", "", "2026 01", utc(2025, 12, 29, 0, 0, 0, 0)},
		{"era", "yyyy-MM-dd G", "", "0044-03-15 BC", utc(-43, 3, 15, 0, 0, 0, 0)},
		{"consistent extras", "EEE yyyy-MM-dd D w u", "", "Wed 2001-07-04 185 27 3", utc(2001, 7, 4, 0, 0, 0, 0)},

		{"milliseconds", "milliseconds", "", "994273736235", utc(2001, 7, 4, 19, 8, 56, 235_000_000)},
		{"negative milliseconds", "milliseconds", "", "-1", utc(1969, 12, 31, 23, 59, 59, 999_000_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			df, err := javatime.NewLayout(tt.pattern, tt.zone)
			require.NoError(t, err)
			got, err := df.Parse(tt.value)
			require.NoError(t, err)
			require.True(t, tt.want.Equal(got), "got %v, want %v", got, tt.want)
		})
	}
}

func TestLayoutParseZones(t *testing.T) {
	t.Parallel()
	wall := time.Date(2026, 7, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, pattern, zone, value string
		wantOffset                 int // seconds east of UTC
		wantZone                   string
	}{
		{"z short", "z", "", "PDT", -7 * 3600, "GMT-07:00"},
		{"z long", "z", "", "Pacific Daylight Time", -7 * 3600, "GMT-07:00"},
		{"z GMT offset", "z", "", "GMT-07:00", -7 * 3600, "GMT-07:00"},
		{"z GMT short offset", "z", "", "GMT+5:30", 5*3600 + 1800, "GMT+05:30"},
		{"z GMT", "z", "America/New_York", "GMT", 0, "GMT"},
		{"z UTC", "z", "", "UTC", 0, "UTC"},
		{"z RFC 822", "z", "", "-0700", -7 * 3600, "GMT-07:00"},
		{"z in the configured zone", "z", "America/Los_Angeles", "PDT", -7 * 3600, "PDT"},
		{"CST is US Central", "z", "", "CST", -6 * 3600, "GMT-06:00"},
		{"CST in Shanghai is China", "z", "Asia/Shanghai", "CST", 8 * 3600, "CST"},
		{"IST in Dublin is Irish", "z", "Europe/Dublin", "IST", 3600, "IST"},
		{"IST elsewhere is the JDK's first, Israel", "z", "", "IST", 2 * 3600, "GMT+02:00"},
		{"IST in Kolkata is India", "z", "Asia/Kolkata", "IST", 5*3600 + 1800, "IST"},
		{"Z", "Z", "", "+0530", 5*3600 + 1800, "GMT+05:30"},
		{"Z long name", "Z", "", "Central European Summer Time", 2 * 3600, "GMT+02:00"},
		{"X Z", "X", "Asia/Tokyo", "Z", 0, "GMT"},
		{"X hours", "X", "", "-07", -7 * 3600, "GMT-07:00"},
		{"X lenient", "X", "", "-07:00", -7 * 3600, "GMT-07:00"},
		{"XX", "XX", "", "-0700", -7 * 3600, "GMT-07:00"},
		{"XXX", "XXX", "", "+05:30", 5*3600 + 1800, "GMT+05:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			df, err := javatime.NewLayout("yyyy-MM-dd HH:mm "+tt.pattern, tt.zone)
			require.NoError(t, err)
			got, err := df.Parse("2026-07-04 12:00 " + tt.value)
			require.NoError(t, err)
			want := wall.Add(-time.Duration(tt.wantOffset) * time.Second)
			require.True(t, want.Equal(got), "got %v, want %v", got, want)
			name, off := got.Zone()
			require.Equal(t, tt.wantOffset, off)
			require.Equal(t, tt.wantZone, name)
		})
	}
}

// TestLayoutDSTAsTheJDK reads local times that happen twice or never as
// the JDK does, and writes the zone's own names as it does.
func TestLayoutDSTAsTheJDK(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		at, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return at
	}
	tests := []struct {
		name, zone, pattern, value string
		want                       time.Time
	}{
		{"overlap is standard time", "America/Los_Angeles", "yyyy-MM-dd'T'HH:mm:ss", "2026-11-01T01:30:00", utc("2026-11-01T09:30:00Z")},
		{"gap at the standard offset", "America/Los_Angeles", "yyyy-MM-dd'T'HH:mm:ss", "2026-03-08T02:30:00", utc("2026-03-08T10:30:00Z")},
		{"overlap named daylight", "America/Los_Angeles", "yyyy-MM-dd'T'HH:mm:ss z", "2026-11-01T01:30:00 PDT", utc("2026-11-01T08:30:00Z")},
		{"overlap named standard", "America/Los_Angeles", "yyyy-MM-dd'T'HH:mm:ss z", "2026-11-01T01:30:00 PST", utc("2026-11-01T09:30:00Z")},
		{"half-hour overlap", "Australia/Lord_Howe", "yyyy-MM-dd'T'HH:mm:ss", "2026-04-05T01:45:00", utc("2026-04-04T15:15:00Z")},
		{"half-hour gap", "Australia/Lord_Howe", "yyyy-MM-dd'T'HH:mm:ss", "2026-10-04T02:15:00", utc("2026-10-03T15:45:00Z")},
		{"Lord Howe daylight name", "Australia/Lord_Howe", "yyyy-MM-dd HH:mm zzzz", "2026-07-01 12:00 Lord Howe Daylight Time", utc("2026-07-01T01:00:00Z")},
		{"negative DST: Dublin's overlap", "Europe/Dublin", "yyyy-MM-dd'T'HH:mm:ss", "2026-10-25T01:30:00", utc("2026-10-25T01:30:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, err := javatime.NewLayout(tt.pattern, tt.zone)
			require.NoError(t, err)
			got, err := l.Parse(tt.value)
			require.NoError(t, err)
			require.True(t, tt.want.Equal(got), "got %v, want %v", got.UTC(), tt.want)
		})
	}

	l, err := javatime.NewLayout("z zzzz", "Australia/Lord_Howe")
	require.NoError(t, err)
	require.Equal(t, "LHDT Lord Howe Daylight Time", l.Format(utc("2026-01-01T00:00:00Z")))
	require.Equal(t, "LHST Lord Howe Standard Time", l.Format(utc("2026-07-01T00:00:00Z")))
}

func TestNewLayoutErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pattern, zone string
		wantErr             error
		wantMsg             string
	}{
		{
			"WooCommerce stray quote", "yyyy-MM-dd'T'HH:mm:ss'", "", javatime.ErrPattern,
			`unterminated quote at position 21 in "yyyy-MM-dd'T'HH:mm:ss'"; remove the trailing ' or close it`,
		},
		{"unterminated quote inside", "yyyy 'at HH", "", javatime.ErrPattern, "unterminated quote at position 5"},
		{"unknown letter", "yyyy-MM-ddTHH", "", javatime.ErrPattern, `unknown pattern letter 'T' at position 10 in "yyyy-MM-ddTHH"`},
		{"unknown lower-case letter", "yyyy-MM-dd hh:mm:ss.fff", "", javatime.ErrPattern, "unknown pattern letter 'f' at position 20"},
		{"four X", "XXXX", "", javatime.ErrPattern, "4 X letters at position 0"},
		{"empty", "", "", javatime.ErrPattern, "empty pattern"},
		{"unknown zone", "yyyy", "Mars/Olympus_Mons", javatime.ErrZone, `"Mars/Olympus_Mons"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			df, err := javatime.NewLayout(tt.pattern, tt.zone)
			require.ErrorIs(t, err, tt.wantErr)
			require.ErrorContains(t, err, tt.wantMsg)
			require.Nil(t, df)
		})
	}
}

func TestLayoutParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pattern, value, wantMsg string
	}{
		{"empty", "yyyy-MM-dd", "", "position 0: want digits"},
		{"missing literal", "yyyy-MM-dd", "2026/01/02", `position 4: want "-"`},
		{"trailing text", "yyyy-MM-dd", "2026-01-02T00:00:00Z", "position 10: unexpected trailing text"},
		{"month 13", "yyyy-MM-dd", "2026-13-02", "M 13 out of range 1-12"},
		{"month 0", "yyyy-MM-dd", "2026-00-02", "M 0 out of range 1-12"},
		{"February 30th", "yyyy-MM-dd", "2026-02-30", "day 30 out of range for month 2 of 2026"},
		{"February 29th of a common year", "yyyy-MM-dd", "2100-02-29", "day 29 out of range"},
		{"hour 24", "yyyy-MM-dd HH", "2026-01-02 24", "H 24 out of range 0-23"},
		{"k 0", "yyyy-MM-dd kk", "2026-01-02 00", "k 0 out of range 1-24"},
		{"h 13", "yyyy-MM-dd hh a", "2026-01-02 13 PM", "h 13 out of range 1-12"},
		{"minute 60", "HH:mm", "12:60", "m 60 out of range 0-59"},
		{"year 0", "yyyy-MM-dd", "0000-01-02", "y 0 out of range"},
		{"huge number", "yyyy-MM-dd", "99999999999999999999-01-02", "number too large"},
		{"wrong day name", "EEE, MMM d, ''yy", "Thu, Jul 4, '01", "day of week 4 contradicts the date 2001-07-04"},
		{"bad month name", "dd MMM yyyy", "02 Jun. 2026", `want " "`},
		{"no month name", "dd MMM yyyy", "02 Foo 2026", "want a month name"},
		{"no AM/PM", "hh a", "12 XM", "want AM or PM"},
		{"no era", "yyyy G", "2001 CE", "want AD or BC"},
		{"bad zone", "HH:mm z", "12:00 Mars Time", "want a time zone"},
		{"bad offset", "HH:mm XXX", "12:00 +25:00", "want a time zone"},
		{"week 53 of a 52-week year", "YYYY-'W'ww-u", "2001-W53-1", "week 53 out of range for week-year 2001"},
		{"no fraction digits", "ss.SSS", "05.", "want digits of a fraction"},
		{"invalid UTF-8", "yyyy年", "2026\xff\xfe", `want "年"`},
		{"milliseconds empty", "milliseconds", "", "want milliseconds since the epoch"},
		{"milliseconds letters", "milliseconds", "12a", "position 2: want digits"},
		{"milliseconds overflow", "milliseconds", "9223372036854775808", "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			df, err := javatime.NewLayout(tt.pattern, "")
			require.NoError(t, err)
			_, err = df.Parse(tt.value)
			require.ErrorIs(t, err, javatime.ErrParse)
			require.ErrorContains(t, err, tt.wantMsg)
			require.ErrorContains(t, err, fmt.Sprintf("%q with pattern %q", tt.value, tt.pattern))
		})
	}
}

func TestLayoutAccessors(t *testing.T) {
	t.Parallel()
	df, err := javatime.NewLayout("yyyy", "PST")
	require.NoError(t, err)
	require.Equal(t, "yyyy", df.String())
	require.Equal(t, "America/Los_Angeles", df.Location().String())

	df, err = javatime.NewLayout("yyyy", "")
	require.NoError(t, err)
	require.Same(t, time.UTC, df.Location())
}

// TestDateFormatNoAllocs guards the performance contract of the polling
// hot path: parsing and appending allocate nothing.
func TestLayoutNoAllocs(t *testing.T) {
	df, err := javatime.NewLayout("yyyy-MM-dd'T'HH:mm:ss", "GMT")
	require.NoError(t, err)
	ref := time.Date(2026, 11, 24, 13, 45, 7, 0, time.UTC)
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		got, err := df.Parse("2026-11-24T13:45:07")
		if err != nil || !got.Equal(ref) {
			t.Fatalf("Parse = %v, %v", got, err)
		}
		buf = df.AppendFormat(buf[:0], got)
	})
	require.Zero(t, allocs)

	// Zone names, the layout's own and another zone's, near a change of
	// offset.
	named, err := javatime.NewLayout("yyyy-MM-dd HH:mm:ss zzzz", "America/Los_Angeles")
	require.NoError(t, err)
	allocs = testing.AllocsPerRun(100, func() {
		for _, v := range [...]string{"2026-11-01 01:30:00 Pacific Standard Time", "2026-11-01 01:30:00 IST"} {
			got, err := named.Parse(v)
			if err != nil {
				t.Fatalf("Parse(%q): %v", v, err)
			}
			buf = named.AppendFormat(buf[:0], got)
		}
	})
	require.Zero(t, allocs)
}

func TestLayoutConcurrent(t *testing.T) {
	t.Parallel()
	df, err := javatime.NewLayout("yyyy-MM-dd'T'HH:mm:ss.SSS z", "America/Los_Angeles")
	require.NoError(t, err)
	ref := jdkTime(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				at := ref.Add(time.Duration(i*100+j) * time.Hour)
				got, err := df.Parse(df.Format(at))
				if err != nil || !got.Equal(at) {
					t.Errorf("round trip of %v: %v, %v", at, got, err)
				}
			}
		})
	}
	wg.Wait()
}

func TestLayoutRoundTripZones(t *testing.T) {
	t.Parallel()
	zones := []string{"America/Los_Angeles", "Europe/Dublin", "Asia/Shanghai", "Asia/Kolkata",
		"Australia/Adelaide", "Asia/Dubai", "America/St_Johns", "UTC", "GMT", "GMT-03:30"}
	for _, zone := range zones {
		for _, letters := range []string{"z", "zzzz", "Z", "XXX"} {
			pattern := "yyyy-MM-dd HH:mm:ss " + letters
			t.Run(strings.ReplaceAll(zone+" "+letters, "/", "_"), func(t *testing.T) {
				t.Parallel()
				df, err := javatime.NewLayout(pattern, zone)
				require.NoError(t, err)
				// Every hour across a year, DST changes included.
				at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
				for range 365 * 24 {
					s := df.Format(at)
					got, err := df.Parse(s)
					require.NoError(t, err)
					require.True(t, at.Equal(got), "%s: got %v, want %v", s, got, at)
					at = at.Add(time.Hour)
				}
			})
		}
	}
}
