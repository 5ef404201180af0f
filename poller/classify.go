package poller

import (
	"time"

	"github.com/a12b7632/elementevents/events"
)

// recordDates are the dates of one record, read by its resource's plan.
type recordDates struct {
	updated, created       time.Time
	hasUpdated, hasCreated bool
	// date is the date that decides: the updated date (falling back to
	// the created one), or the created date when filtering by created
	// date.
	date    time.Time
	hasDate bool
	// bad reports a date that does not match its pattern: the record is
	// judged by its bytes alone, as if it had no dates.
	bad bool
}

// dates reads the dates of f.
func (p *plan) dates(f fields) recordDates {
	var d recordDates
	d.updated, d.hasUpdated = p.updated.read(f.Updated)
	d.created, d.hasCreated = p.created.read(f.Created)
	if (f.Updated != "" && !d.hasUpdated) || (f.Created != "" && !d.hasCreated) {
		// A date that does not match its pattern must not turn a change
		// into old news.
		d.bad = true
		d.hasUpdated, d.hasCreated = false, false
	}
	d.date, d.hasDate = d.updated, d.hasUpdated
	if !d.hasDate || !p.cfg.FilterByUpdatedDate {
		if d.hasCreated {
			d.date, d.hasDate = d.created, true
		}
	}
	if !p.cfg.FilterByUpdatedDate && !d.hasCreated {
		d.date, d.hasDate = d.updated, d.hasUpdated
	}
	return d
}

// classify returns the event a changed record makes by the Cloud Elements
// rules, given its dates, whether the poller remembers it, and the window
// start; false when it is old news. A record dated no later than the
// window start is old news. Without dates it is CREATED, or UPDATED when
// remembered. Filtering by created date, it is CREATED. Otherwise it is
// UPDATED when remembered; a new one is CREATED when updated within
// createdCheckTolerance of its creation or when it has only one date, and
// UPDATED when updated later. The diff first decides what remembered
// state alone says (see decider.record).
func (p *plan) classify(d recordDates, known bool, since time.Time) (events.Type, bool) {
	switch {
	case d.hasDate && !d.date.After(since):
		// Old news: a record first seen outside the window (or whose date
		// moved back) is remembered, not reported.
		return "", false
	case !d.hasDate:
		if known {
			return events.Updated, true
		}
		return events.Created, true
	case !p.cfg.FilterByUpdatedDate:
		return events.Created, true
	case known:
		return events.Updated, true
	case d.hasUpdated && d.hasCreated:
		if absDuration(d.updated.Sub(d.created)) <= p.cfg.CreatedCheckTolerance {
			return events.Created, true
		}
		return events.Updated, true
	default:
		// A new record with only one of its dates: nothing says it was
		// created before the window.
		return events.Created, true
	}
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
