package javatime

import (
	"fmt"
	"strings"
	"sync"
	"time"

	// Embedded so that zones resolve in slim containers without
	// /usr/share/zoneinfo.
	_ "time/tzdata"
)

// gmtLoc is Java's "GMT" zone. It is kept apart from [time.UTC] so that
// the z pattern letter prints "GMT" for zones configured as GMT, as Java
// does.
var gmtLoc = time.FixedZone("GMT", 0)

// javaShortIDs is java.time.ZoneId.SHORT_IDS. EST, MST and HST are fixed
// offsets there, not the zones that observe daylight saving time.
var javaShortIDs = map[string]string{
	"ACT": "Australia/Darwin",
	"AET": "Australia/Sydney",
	"AGT": "America/Argentina/Buenos_Aires",
	"ART": "Africa/Cairo",
	"AST": "America/Anchorage",
	"BET": "America/Sao_Paulo",
	"BST": "Asia/Dhaka",
	"CAT": "Africa/Harare",
	"CNT": "America/St_Johns",
	"CST": "America/Chicago",
	"CTT": "Asia/Shanghai",
	"EAT": "Africa/Addis_Ababa",
	"ECT": "Europe/Paris",
	"EST": "-05:00",
	"HST": "-10:00",
	"IET": "America/Indiana/Indianapolis",
	"IST": "Asia/Kolkata",
	"JST": "Asia/Tokyo",
	"MIT": "Pacific/Apia",
	"MST": "-07:00",
	"NET": "Asia/Yerevan",
	"NST": "Pacific/Auckland",
	"PLT": "Asia/Karachi",
	"PNT": "America/Phoenix",
	"PRT": "America/Puerto_Rico",
	"PST": "America/Los_Angeles",
	"SST": "Pacific/Guadalcanal",
	"VST": "Asia/Ho_Chi_Minh",
}

// Loaded locations by the name they were asked for, and fixed zones by
// offset: loading an IANA zone parses tzdata, which is far too slow to
// repeat for every configured date format.
var (
	locationCache  sync.Map // string -> *time.Location
	fixedZoneCache sync.Map // int (seconds east of UTC) -> *time.Location
)

// maxZoneOffset is the largest offset Java accepts (java.time.ZoneOffset).
const maxZoneOffset = 18 * 60 * 60

// LoadLocation resolves a time zone as Java configurations spell it:
//
//   - "" is UTC; "UTC", "UT" and "Z" are UTC and "GMT" is GMT, in any case;
//   - fixed offsets, optionally after GMT, UTC or UT: "GMT+05:30", "GMT-8",
//     "UTC+01:00", "+0530", "-07:00" (at most ±18:00, as in Java);
//   - the Java short IDs of java.time.ZoneId.SHORT_IDS, in any case: "PST"
//     is America/Los_Angeles, "EST" is a fixed -05:00, ...;
//   - IANA names such as "America/New_York" or "EST5EDT".
//
// "Local" is rejected: a configuration must not depend on the host's zone.
// Errors wrap [ErrZone] and name the zone. Results are cached, and the
// function is safe for concurrent use.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if loc, ok := locationCache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := loadLocation(name)
	if err != nil {
		return nil, err
	}
	locationCache.Store(name, loc)
	return loc, nil
}

func loadLocation(name string) (*time.Location, error) {
	upper := strings.ToUpper(name)
	switch upper {
	case "UTC", "UT", "Z":
		return time.UTC, nil
	case "GMT":
		return gmtLoc, nil
	}
	if id, ok := javaShortIDs[upper]; ok {
		if id[0] == '+' || id[0] == '-' {
			off, _ := parseOffsetID(id)
			return time.FixedZone(upper, off), nil
		}
		return loadIANA(name, id)
	}
	if rest, ok := cutZonePrefix(upper); ok {
		off, ok := parseOffsetID(rest)
		if !ok {
			return nil, fmt.Errorf("%w %s: want an offset such as GMT+05:30 or GMT-8 after %s",
				ErrZone, quote(name), upper[:len(upper)-len(rest)])
		}
		return fixedZone(off), nil
	}
	if name[0] == '+' || name[0] == '-' {
		off, ok := parseOffsetID(name)
		if !ok {
			return nil, fmt.Errorf("%w %s: want an offset such as +05:30, -0700 or -8 (at most ±18:00)", ErrZone, quote(name))
		}
		return fixedZone(off), nil
	}
	if name == "Local" {
		return nil, fmt.Errorf("%w %s: the host's zone is not allowed; name the zone", ErrZone, quote(name))
	}
	return loadIANA(name, name)
}

func loadIANA(name, id string) (*time.Location, error) {
	loc, err := time.LoadLocation(id)
	if err != nil {
		return nil, fmt.Errorf("%w %s: not an IANA name (America/New_York), offset (GMT+05:30) or Java short ID (PST)",
			ErrZone, quote(name))
	}
	return loc, nil
}

// cutZonePrefix strips GMT, UTC or UT from an upper-cased offset ID such
// as "GMT+05:30" and reports whether one was there.
func cutZonePrefix(upper string) (string, bool) {
	for _, p := range [...]string{"GMT", "UTC", "UT"} {
		if rest, ok := strings.CutPrefix(upper, p); ok && rest != "" && (rest[0] == '+' || rest[0] == '-') {
			return rest, true
		}
	}
	return "", false
}

// parseOffsetID parses a whole offset ID: a sign, one or two hour digits,
// and optional minutes with or without a colon ("+5", "-08", "+0530",
// "+05:30").
func parseOffsetID(s string) (int, bool) {
	off, n, ok := scanOffset(s, 0)
	return off, ok && n == len(s) && off >= -maxZoneOffset && off <= maxZoneOffset
}

// scanOffset reads a signed offset at s[pos:] in the forms parseOffsetID
// describes, and returns it in seconds east of UTC with the position after it.
// A colon is taken only when two minute digits follow it.
func scanOffset(s string, pos int) (off, end int, ok bool) {
	if pos >= len(s) || (s[pos] != '+' && s[pos] != '-') {
		return 0, pos, false
	}
	sign := 1
	if s[pos] == '-' {
		sign = -1
	}
	i := pos + 1
	if i >= len(s) || !isASCIIDigit(s[i]) {
		return 0, pos, false
	}
	hours := int(s[i] - '0')
	i++
	twoDigitHours := i < len(s) && isASCIIDigit(s[i])
	if twoDigitHours {
		hours = hours*10 + int(s[i]-'0')
		i++
	}
	minutes := 0
	switch {
	case i+2 < len(s) && s[i] == ':' && isASCIIDigit(s[i+1]) && isASCIIDigit(s[i+2]):
		minutes = int(s[i+1]-'0')*10 + int(s[i+2]-'0')
		i += 3
	case twoDigitHours && i+1 < len(s) && isASCIIDigit(s[i]) && isASCIIDigit(s[i+1]):
		minutes = int(s[i]-'0')*10 + int(s[i+1]-'0')
		i += 2
	}
	if hours > 23 || minutes > 59 {
		return 0, pos, false
	}
	return sign * (hours*3600 + minutes*60), i, true
}

// fixedZone returns a shared zone for an offset, named like Java's custom
// zone IDs ("GMT+05:30"; offset zero is GMT), so that the z letter prints
// a name that parses back.
func fixedZone(off int) *time.Location {
	if off == 0 {
		return gmtLoc
	}
	if loc, ok := fixedZoneCache.Load(off); ok {
		return loc.(*time.Location)
	}
	loc := time.FixedZone(string(appendGMTOffset(nil, off)), off)
	actual, _ := fixedZoneCache.LoadOrStore(off, loc)
	return actual.(*time.Location)
}

// appendGMTOffset appends Java's custom zone ID for an offset, "GMT-07:00",
// dropping any seconds as Java does.
func appendGMTOffset(b []byte, off int) []byte {
	b = append(b, "GMT"...)
	return appendOffset(b, off, true, true)
}

// appendOffset appends "+hh", "+hhmm" or "+hh:mm" for an offset in
// seconds, truncated to whole minutes.
func appendOffset(b []byte, off int, minutes, colon bool) []byte {
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	b = append(b, sign)
	b = appendPadded(b, off/3600, 2)
	if !minutes {
		return b
	}
	if colon {
		b = append(b, ':')
	}
	return appendPadded(b, off/60%60, 2)
}
