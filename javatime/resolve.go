package javatime

import (
	"fmt"
	"strings"
	"time"
)

// dateBits are the fields that place a day; which of them build the date
// and which only have to agree with it depends on what the value supplied.
const dateBits = setEra | setYear | setWeekYear | setMonth | setDay | setYearDay |
	setWeek | setWeekOfMonth | setDowInMonth | setWeekday

// resolve turns the fields of a value into an instant, or says why they do
// not make one. The date comes from the first combination the value
// supplies, in the order of Java's GregorianCalendar: year-month-day;
// year-month, day-of-week-in-month and day of week; year-month, week of
// month and day of week; year and day of year; ISO week-year, week and day
// of week. Missing fields default to 1970-01-01, Monday, week 1. Fields
// left over must agree with the date.
func (f *dateFields) resolve(l *Layout) (time.Time, string) {
	year := 1970
	if f.set&setYear != 0 {
		year = f.year
		if f.bc {
			year = 1 - year
		}
	}
	month, day := 1, 1
	if f.set&setMonth != 0 {
		month = f.month
	}
	weekday := 1
	if f.set&setWeekday != 0 {
		weekday = f.weekday
	}
	used := setYear | setMonth | setDay
	if f.set&setYear != 0 {
		used |= setEra
	}
	switch set := f.set; {
	case set&setDay != 0 || set&setMonth != 0 && set&(setDowInMonth|setWeekOfMonth) == 0:
		if set&setDay != 0 {
			day = f.day
		}
		if day > daysIn(month, year) {
			return time.Time{}, fmt.Sprintf("day %d out of range for month %d of %d", day, month, year)
		}
	case set&setMonth != 0 && set&setDowInMonth != 0:
		used |= setDowInMonth | setWeekday
		first := weekdayOf(year, month, 1)
		day = (f.dowInMonth-1)*7 + 1 + (weekday-first+7)%7
		if day > daysIn(month, year) {
			return time.Time{}, fmt.Sprintf("no day-of-week-in-month %d in month %d of %d", f.dowInMonth, month, year)
		}
	case set&setMonth != 0 && set&setWeekOfMonth != 0:
		used |= setWeekOfMonth | setWeekday
		day = weekStart(weekdayOf(year, month, 1)) + (f.weekOfMonth-1)*7 + weekday - 1
		if day < 1 || day > daysIn(month, year) {
			return time.Time{}, fmt.Sprintf("week %d of month %d of %d has no day %d", f.weekOfMonth, month, year, weekday)
		}
	case set&setYearDay != 0:
		used |= setYearDay
		if f.yearDay > 365 && daysIn(2, year) == 28 {
			return time.Time{}, fmt.Sprintf("day of year %d out of range for %d", f.yearDay, year)
		}
		day = f.yearDay // time.Date carries it into later months
	case set&(setWeek|setWeekYear) != 0:
		used = setWeek | setWeekYear | setWeekYear2 | setWeekday | setEra
		if set&setWeekYear != 0 {
			year = f.weekYear
			if f.bc {
				year = 1 - year
			}
		} else {
			used |= setYear
		}
		week := 1
		if set&setWeek != 0 {
			week = f.week
		}
		if week > isoWeeksIn(year) {
			return time.Time{}, fmt.Sprintf("week %d out of range for week-year %d", week, year)
		}
		// Week 1 is the week with January 4th in it; its Monday is
		// January 5 - (ISO weekday of January 4th).
		day = 5 - weekdayOf(year, 1, 4) + (week-1)*7 + weekday - 1
	}
	if left := f.set & dateBits &^ used; left != 0 {
		if why := f.agree(left, time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)); why != "" {
			return time.Time{}, why
		}
	}
	hour := f.hour
	if f.set&setHour24 == 0 {
		hour = f.hour12
		if f.pm {
			hour += 12
		}
	}
	if f.set&setZone == 0 {
		return wallTime(l.loc, year, month, day, hour, f.minute, f.sec, f.nsec), ""
	}
	wall := time.Date(year, time.Month(month), day, hour, f.minute, f.sec, 0, time.UTC).Unix()
	off := f.offset
	if f.zoneName.set >= 0 {
		var why string
		if off, why = f.nameOffset(l, wall); why != "" {
			return time.Time{}, why
		}
	}
	t := time.Unix(wall-int64(off), int64(f.nsec))
	if _, o := t.In(l.loc).Zone(); o == off {
		return t.In(l.loc), ""
	}
	return t.In(fixedZone(off)), ""
}

// nameOffset returns the offset a zone name gives a local time, as Java's
// parser reads it: the standard offset of the named zone then, plus its
// daylight saving for a daylight name. Where the zone uses the same name
// in standard and daylight time, or has no daylight saving time any more,
// the zone decides as for a value without zone.
func (f *dateFields) nameOffset(l *Layout, wall int64) (int, string) {
	set := zoneNames().sets[f.zoneName.set]
	loc, savings := l.loc, l.savings
	if f.zoneName.set != l.own {
		if loc, savings = set.location(); loc == nil {
			return 0, "zone name " + quote(set.names[f.zoneName.slot]) + " has no zone rules here"
		}
	}
	daylight := f.zoneName.slot >= longDaylight
	if daylight && savings == 0 || !daylight && strings.EqualFold(set.names[f.zoneName.slot], set.names[f.zoneName.slot+longDaylight]) {
		return wallPeriod(loc, wall).off, "" // the zone decides, as without a name
	}
	_, off := wallPeriod(loc, wall).javaRules(loc)
	if daylight {
		off += savings
	}
	return off, ""
}

// agree checks the fields in left, which did not build the date d, against
// it.
func (f *dateFields) agree(left int, d time.Time) string {
	wy, w := d.ISOWeek()
	checks := [...]struct {
		bit       int
		name      string
		got, want int
	}{
		{setEra, "era", boolInt(f.bc), boolInt(d.Year() <= 0)},
		{setYear, "year", f.year, yearOfEra(d.Year())},
		{setWeekYear, "week-year", f.weekYear, yearOfEra(wy)},
		{setWeekYear2, "two-digit week-year", f.weekYear % 100, yearOfEra(wy) % 100},
		{setYearDay, "day of year", f.yearDay, d.YearDay()},
		{setWeek, "week of year", f.week, w},
		{setWeekOfMonth, "week of month", f.weekOfMonth, weekOfMonth(d.Day(), d.Weekday())},
		{setDowInMonth, "day-of-week-in-month", f.dowInMonth, (d.Day()-1)/7 + 1},
		{setWeekday, "day of week", f.weekday, isoWeekday(d.Weekday())},
	}
	for _, c := range checks {
		if left&c.bit == 0 || c.got == c.want {
			continue
		}
		if c.bit == setWeekYear && left&setWeekYear2 != 0 {
			continue // compared by its two digits
		}
		return fmt.Sprintf("%s %d contradicts the date %s", c.name, c.got, d.Format(time.DateOnly))
	}
	return ""
}

// weekStart returns the day of the month (possibly zero or negative) on
// which week 1 starts, given the ISO weekday of the month's first day:
// week 1 is the first week with at least four days in the month.
func weekStart(firstWeekday int) int {
	start := 2 - firstWeekday // the Monday on or before the 1st
	if start < -2 {
		start += 7
	}
	return start
}

// weekdayOf returns the ISO weekday (Monday 1) of a date; day may be out
// of the month's range.
func weekdayOf(year, month, day int) int {
	return isoWeekday(time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Weekday())
}

// isoWeeksIn returns 52 or 53: December 28th is always in the last week.
func isoWeeksIn(year int) int {
	_, w := time.Date(year, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

func daysIn(month, year int) int {
	if month == 2 {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 30 + (month+month/8)%2
}

func yearOfEra(year int) int {
	if year <= 0 {
		return 1 - year
	}
	return year
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
