package javatime

import "time"

// Go's zones and the JDK's come from the same IANA tzdata and agree on
// offsets, but Java reads local times by a rule of its own. The functions
// here give Java's answers from a *time.Location.

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
