// Package javatime reads and writes times with Java's SimpleDateFormat
// patterns and zones, as the JDK does, for configurations written for
// Java (yyyy-MM-dd'T'HH:mm:ss in GMT). It depends on the standard library
// only.
//
//	l, err := javatime.NewLayout("yyyy-MM-dd'T'HH:mm:ss", "America/Los_Angeles")
//	t, err := l.Parse("2026-11-01T01:30:00") // 09:30 UTC, as the JDK reads it
//	s := l.Format(t)                          // "2026-11-01T01:30:00"
//
// A [Layout] is compiled once and is safe for concurrent use; Parse and
// AppendFormat allocate nothing. [LoadLocation] reads zones as Java
// configurations spell them: IANA names, GMT, UTC, fixed offsets and
// Java's short IDs such as PST. The pattern "milliseconds" stands for
// milliseconds since the Unix epoch.
//
// # Pattern letters
//
// The letters are Java's, with Java's count rules: G era (AD/BC); y year
// and Y week-year (yy is two digits, other counts pad with zeros); M and L
// month (M and MM a number, MMM "Jul", MMMM "July"); w week of the year
// and W week of the month; D day of the year; d day of the month; F
// day-of-week in the month; E day name (up to EEE "Wed", EEEE
// "Wednesday"); u day number (1 is Monday); a AM/PM; H hour 0-23, k 1-24,
// K 0-11, h 1-12; m minute; s second; S millisecond; z zone name ("PDT";
// zzzz "Pacific Daylight Time"); Z "-0700"; X "-07" (or "Z" at UTC), XX
// "-0700", XXX "-07:00". Text in single quotes is literal, and a doubled
// single quote is a quote, inside or outside quoted text. Any other ASCII
// letter is an error ([*PatternError]); other characters are literal.
//
// # As the JDK does
//
// Format and Parse agree with the JDK's SimpleDateFormat in Locale.US row
// by row on a table the JDK wrote (testdata/jdk, with the program that
// writes it), in particular:
//
//   - A local time that happens twice, in the hour a clock goes back, is
//     read as standard time, the later instant; one that never happens,
//     in the hour a clock goes forward, is read at the standard offset, so
//     02:30 in a spring-forward gap is 03:30 daylight time.
//   - z and zzzz write the zone's names as the JDK does (PST and PDT,
//     Pacific Daylight Time, LHDT, Lord Howe Daylight Time, GST; GMT+05:30
//     for a zone the JDK names by its offset), from the JDK's table of
//     names embedded here, and read back any name of that table: the
//     layout's own zone first, then the first zone the JDK tries, so IST
//     is India Standard Time in Asia/Kolkata, Irish Standard Time in
//     Europe/Dublin and Israel Standard Time elsewhere. A standard name
//     reads at the zone's standard offset and a daylight name at the
//     daylight one, whatever the date, unless the zone has no daylight
//     saving time any more or one name for both: then its rules decide.
//
// # Where javatime decides
//
// Where Java leaves room, or cannot be followed:
//
//   - Weeks follow ISO 8601 (weeks start on Monday; week 1 is the first
//     with four days in the year), so Y, w and u give ISO week dates and
//     W counts weeks of the month by the same rule. Java's Locale.US
//     would start weeks on Sunday.
//   - A two-digit year (yy, or exactly two digits under y) is read as
//     1969-1999 for 69-99 and 2000-2068 for 00-68, the pivot of POSIX
//     strptime and Go's time package. Java's pivot moves with the clock,
//     and this package never reads the clock.
//   - S formats as Java does, the millisecond value padded to the count
//     ("235" for SSS, "0235" for SSSS, "5" for S at 5 ms). It parses
//     leniently as a decimal fraction of a second whatever the count:
//     ".98" is 980 ms, ".9" 900 ms and ".123456" 123.456 ms; digits past
//     the ninth are read and ignored. Only SSS therefore round-trips
//     every millisecond value.
//   - Zones parse leniently: X reads "Z" or an offset in any of its three
//     forms, and z and Z read those too, and GMT, UTC or UT with an
//     optional offset ("GMT+5:30", "UTC-08").
//   - H and k take precedence over h, K and a, as in Java; h or K
//     without a is AM. BC years come from G; years before 1 are never
//     parsed from digits.
//   - Parsing is strict where Java's default lenient Calendar is not:
//     fields must be in range (no 13th month or February 30th), the whole
//     value must match (no trailing text), and fields that repeat
//     information, such as a day name next to a full date, must agree.
//     Like Java, blanks before a field are skipped, numbers are read
//     greedily unless the next pattern item is also a field (yyyyMMdd),
//     and fields missing from the pattern default to 1970-01-01 00:00:00.
//   - Dates are in the proleptic Gregorian calendar, with tzdata's
//     offsets, as in java.time and Go. SimpleDateFormat counts days
//     before 1582-10-15 in the Julian calendar and gives times before
//     1900 the zone's current standard offset.
//   - A parsed zone name never changes the layout's zone, where it
//     changes a SimpleDateFormat's.
package javatime
