package javatime

import "time"

// Go's zones and the JDK's come from the same IANA tzdata and agree on
// offsets, but not always on which periods are daylight saving time, and
// Java reads local times by a rule of its own. The functions here give
// Java's answers from a *time.Location.

// period is a span of time during which a zone keeps one offset.
type period struct {
	start, end       int64 // Unix seconds: the first second, the first after
	hasStart, hasEnd bool  // false: the zone has no change before, or after
	off              int   // seconds east of UTC
	dst              bool  // Go's daylight saving time flag
}

func periodAt(loc *time.Location, unix int64) period {
	t := time.Unix(unix, 0).In(loc)
	_, off := t.Zone()
	p := period{off: off, dst: t.IsDST()}
	start, end := t.ZoneBounds()
	if !start.IsZero() {
		p.start, p.hasStart = start.Unix(), true
	}
	if !end.IsZero() {
		p.end, p.hasEnd = end.Unix(), true
	}
	return p
}

// maxPeriodSteps bounds the walk of wallPeriod: the first guess is at
// most a day off, and no zone changes its offset more than a few times in
// a day.
const maxPeriodSteps = 8

// wallPeriod returns the period Java's calendar reads a local time in
// (wall is the local time in Unix seconds, as if it were UTC): the last
// period whose first local time, written at its own offset, is not after
// wall. A time in an overlap is therefore read in the later period
// (standard time, where a clock goes back from daylight time), and a time
// in a gap in the earlier one (02:30 in a spring-forward gap is read at
// the standard offset, which is 03:30 daylight time).
func wallPeriod(loc *time.Location, wall int64) period {
	p := periodAt(loc, wall)
	for range maxPeriodSteps {
		if p.hasStart && p.start+int64(p.off) > wall {
			p = periodAt(loc, p.start-1)
			continue
		}
		if p.hasEnd {
			if n := periodAt(loc, p.end); p.end+int64(n.off) <= wall {
				p = n
				continue
			}
		}
		break
	}
	return p
}

// clearOfChanges is how far from a change of offset a time must be for
// its local time to be unambiguous: further than any change moves a
// clock.
const clearOfChanges = 48 * 60 * 60

// wallTime returns the instant of a local time in loc as Java's calendar
// reads it (see wallPeriod).
func wallTime(loc *time.Location, year, month, day, hour, minute, sec, nsec int) time.Time {
	// time.Date is right, and fast, away from changes of offset; near
	// one it reads gaps and overlaps its own way.
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	start, end := t.ZoneBounds()
	u := t.Unix()
	if (start.IsZero() || u-start.Unix() > clearOfChanges) && (end.IsZero() || end.Unix()-u > clearOfChanges) {
		return t
	}
	wall := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).Unix()
	p := wallPeriod(loc, wall)
	return time.Unix(wall-int64(p.off), int64(nsec)).In(loc)
}

// javaRules returns what the JDK's rules say of the period: whether it is
// daylight saving time, and the standard offset then. Go's tzdata marks
// negative daylight saving time as such (Ireland's winter, Morocco's
// Ramadan), where the JDK's calls the other period daylight time; a
// neighbouring period tells which is the case.
func (p period) javaRules(loc *time.Location) (daylight bool, std int) {
	var (
		near [2]period
		n    int
	)
	if p.hasStart {
		near[n] = periodAt(loc, p.start-1)
		n++
	}
	if p.hasEnd {
		near[n] = periodAt(loc, p.end)
		n++
	}
	for _, q := range near[:n] {
		if q.dst == p.dst {
			continue
		}
		dstOff, stdOff := p.off, q.off
		if !p.dst {
			dstOff, stdOff = q.off, p.off
		}
		daylight = p.dst != (dstOff < stdOff)
		if daylight {
			return true, q.off
		}
		return false, p.off
	}
	return p.dst, p.off
}

// javaRulesAt is javaRules for the period of an instant.
func javaRulesAt(loc *time.Location, unix int64) (daylight bool, std int) {
	return periodAt(loc, unix).javaRules(loc)
}

// dstSavings returns how far daylight saving time moves the clocks of loc
// under its latest rules, 0 when it no longer has any: Java's
// TimeZone.getDSTSavings.
func dstSavings(loc *time.Location) int {
	_, winter := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).In(loc).Zone()
	_, summer := time.Date(2100, 7, 1, 0, 0, 0, 0, time.UTC).In(loc).Zone()
	if summer < winter {
		return winter - summer
	}
	return summer - winter
}
