package javatime

import (
	"strings"
	"time"
)

// zoneName is one row of the names the z letter prints and parses.
type zoneName struct {
	short, long string
	offset      int // seconds east of UTC
}

// zoneNames stands in for Java's locale data for the names Go's tzdata
// abbreviations can take, keyed by abbreviation and offset because
// abbreviations repeat (CST is Central and China Standard Time). Where an
// abbreviation repeats, the row Java's Locale.US reading prefers comes
// first: parsing a bare "CST" means US Central unless the configured zone
// uses CST at that moment. Long names follow the CLDR data Java 9+ uses.
var zoneNames = []zoneName{
	{"GMT", "Greenwich Mean Time", 0},
	{"UTC", "Coordinated Universal Time", 0},
	{"PST", "Pacific Standard Time", -8 * 3600},
	{"PDT", "Pacific Daylight Time", -7 * 3600},
	{"MST", "Mountain Standard Time", -7 * 3600},
	{"MDT", "Mountain Daylight Time", -6 * 3600},
	{"CST", "Central Standard Time", -6 * 3600},
	{"CDT", "Central Daylight Time", -5 * 3600},
	{"EST", "Eastern Standard Time", -5 * 3600},
	{"EDT", "Eastern Daylight Time", -4 * 3600},
	{"AKST", "Alaska Standard Time", -9 * 3600},
	{"AKDT", "Alaska Daylight Time", -8 * 3600},
	{"HST", "Hawaii-Aleutian Standard Time", -10 * 3600},
	{"HDT", "Hawaii-Aleutian Daylight Time", -9 * 3600},
	{"AST", "Atlantic Standard Time", -4 * 3600},
	{"ADT", "Atlantic Daylight Time", -3 * 3600},
	{"NST", "Newfoundland Standard Time", -(3*3600 + 1800)},
	{"NDT", "Newfoundland Daylight Time", -(2*3600 + 1800)},
	{"SST", "Samoa Standard Time", -11 * 3600},
	{"ChST", "Chamorro Standard Time", 10 * 3600},
	{"BST", "British Summer Time", 3600},
	{"IST", "India Standard Time", 5*3600 + 1800},
	{"IST", "Irish Standard Time", 3600},
	{"IST", "Israel Standard Time", 2 * 3600},
	{"IDT", "Israel Daylight Time", 3 * 3600},
	{"WET", "Western European Standard Time", 0},
	{"WEST", "Western European Summer Time", 3600},
	{"CET", "Central European Standard Time", 3600},
	{"CEST", "Central European Summer Time", 2 * 3600},
	{"MET", "Middle European Standard Time", 3600},
	{"MEST", "Middle European Summer Time", 2 * 3600},
	{"EET", "Eastern European Standard Time", 2 * 3600},
	{"EEST", "Eastern European Summer Time", 3 * 3600},
	{"MSK", "Moscow Standard Time", 3 * 3600},
	{"WAT", "West Africa Standard Time", 3600},
	{"CAT", "Central Africa Time", 2 * 3600},
	{"EAT", "East Africa Time", 3 * 3600},
	{"SAST", "South Africa Standard Time", 2 * 3600},
	{"PKT", "Pakistan Standard Time", 5 * 3600},
	{"WIB", "Western Indonesia Time", 7 * 3600},
	{"WITA", "Central Indonesia Time", 8 * 3600},
	{"WIT", "Eastern Indonesia Time", 9 * 3600},
	{"CST", "China Standard Time", 8 * 3600},
	{"HKT", "Hong Kong Standard Time", 8 * 3600},
	{"PST", "Philippine Standard Time", 8 * 3600},
	{"KST", "Korean Standard Time", 9 * 3600},
	{"JST", "Japan Standard Time", 9 * 3600},
	{"AWST", "Australian Western Standard Time", 8 * 3600},
	{"ACST", "Australian Central Standard Time", 9*3600 + 1800},
	{"ACDT", "Australian Central Daylight Time", 10*3600 + 1800},
	{"AEST", "Australian Eastern Standard Time", 10 * 3600},
	{"AEDT", "Australian Eastern Daylight Time", 11 * 3600},
	{"NZST", "New Zealand Standard Time", 12 * 3600},
	{"NZDT", "New Zealand Daylight Time", 13 * 3600},
}

// lookupZoneName returns the row for a zone abbreviation in effect, or -1.
func lookupZoneName(abbr string, off int) int {
	for i := range zoneNames {
		if zoneNames[i].short == abbr && zoneNames[i].offset == off {
			return i
		}
	}
	return -1
}

// appendZoneName appends what Java's z letter prints: the short or long
// name when the abbreviation is one of zoneNames, otherwise GMT±hh:mm as
// Java does for zones it has no name for. Names outside the table are not
// printed so that formatted values always parse back.
func appendZoneName(b []byte, t time.Time, long bool) []byte {
	abbr, off := t.Zone()
	if strings.HasPrefix(abbr, "GMT") && len(abbr) > 3 {
		return append(b, abbr...) // a fixed zone already named like Java
	}
	i := lookupZoneName(abbr, off)
	switch {
	case i < 0:
		return appendGMTOffset(b, off)
	case long:
		return append(b, zoneNames[i].long...)
	default:
		return append(b, zoneNames[i].short...)
	}
}

// scanZone reads a zone in a value at s[pos:] for the z, Z and X letters.
// X (ISO 8601) takes "Z" or a numeric offset; z and Z also take GMT, UTC
// or UT with an optional offset, and the names of zoneNames. It returns the
// offset and, for an abbreviation, the index of the first zoneNames row it
// matched (-1 otherwise) so that resolution can prefer the configured
// zone's reading of an ambiguous abbreviation.
func scanZone(s string, pos int, letter byte) (off, name, end int, ok bool) {
	if pos >= len(s) {
		return 0, -1, pos, false
	}
	switch c := s[pos]; {
	case c == 'Z':
		return 0, -1, pos + 1, true
	case c == '+' || c == '-':
		off, end, ok := scanOffset(s, pos)
		return off, -1, end, ok
	case letter == 'X':
		return 0, -1, pos, false
	}
	for _, p := range [...]string{"GMT", "UTC", "UT"} { // UTC before UT
		if hasPrefixFold(s[pos:], p) {
			end := pos + len(p)
			if off, e, ok := scanOffset(s, end); ok {
				return off, -1, e, true
			}
			return 0, -1, end, true
		}
	}
	best, bestLen, short := -1, 0, false
	for i := range zoneNames {
		if n := zoneNames[i].long; len(n) > bestLen && hasPrefixFold(s[pos:], n) {
			best, bestLen, short = i, len(n), false
		}
		if n := zoneNames[i].short; len(n) > bestLen && hasPrefixFold(s[pos:], n) {
			best, bestLen, short = i, len(n), true
		}
	}
	if best < 0 {
		return 0, -1, pos, false
	}
	off = zoneNames[best].offset
	if !short {
		best = -1 // a long name is unambiguous
	}
	return off, best, pos + bestLen, true
}
