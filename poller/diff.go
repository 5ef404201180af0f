package poller

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/jsonscan"
)

// decider diffs the records of one cycle of one resource against
// remembered state, classifies those it does not already know by the Cloud
// Elements rules (see classify), and collects the events and state
// changes.
type decider struct {
	r        *resource
	st       *ResourceState
	since    time.Time // window start: records not after it are not news
	until    time.Time // window end when FilterByCurrentDate, else zero
	pollDate time.Time
	silent   bool // first-run baseline: remember, report nothing
	all      bool // full resync: report every record, changed or not

	seen    *seenSet // the resource's, emptied for the cycle
	upserts map[string]Record
	// scratch holds the fields of the record at hand (see
	// extractor.fieldsIn); an id that is kept is cloned out of it.
	scratch  []byte
	events   []events.Event
	bad      int
	firstErr error
	badDates int
}

// record handles one raw record, with the values at the id and date
// paths when the source found them (nil: read them here).
func (d *decider) record(rec json.RawMessage, found *[numFields]jsonscan.Value) {
	var vals [numFields]jsonscan.Value
	err := error(nil)
	if found == nil {
		found, err = &vals, d.r.x.find(rec, &vals)
	}
	var f fields
	if err == nil {
		// f's strings are in d.scratch, valid until the next record: an
		// unchanged record, the steady case, allocates none.
		f, err = d.r.x.fieldsIn(&d.scratch, rec, found)
	}
	if err != nil {
		if d.bad == 0 {
			d.firstErr = err
		}
		d.bad++
		return
	}
	if !d.seen.add(f.ID) {
		return // the same record on two pages
	}

	dates := d.r.dates(f)
	if dates.bad {
		d.badDates++
	}
	date, hasDate := dates.date, dates.hasDate
	rec2 := Record{Hash: f.Hash}
	if hasDate {
		rec2.Updated = date.UnixNano()
	}
	if hasDate && !d.until.IsZero() && date.After(d.until) {
		// Changed after this poll started: the next cycle reports it.
		return
	}

	prev, known := d.st.Records.Get(f.ID)
	if known && prev == rec2 && !d.all {
		return // already reported: the lookback overlap, or no change
	}
	id := strings.Clone(f.ID) // kept: out of the scratch
	if !known || prev != rec2 {
		d.upserts[id] = rec2
	}
	if d.silent {
		return
	}

	var typ events.Type
	switch {
	case d.all:
		typ = d.r.resyncType(dates, known)
	case known && prev.Updated == rec2.Updated:
		// Same date, other bytes: a change the vendor did not date.
		typ = events.Updated
	case known && hasDate && rec2.Updated > prev.Updated:
		// A remembered record with a newer date changed, even if the
		// vendor dated the change before the window (committed late).
		typ = events.Updated
	default:
		var news bool
		if typ, news = d.r.classify(dates, known, d.since); !news {
			return
		}
	}
	evDate := d.pollDate
	if hasDate {
		evDate = date
	}
	d.events = append(d.events, d.event(typ, id, evDate, rec))
}

func (d *decider) event(typ events.Type, id string, date time.Time, raw json.RawMessage) events.Event {
	return events.Event{Type: typ, ObjectType: d.r.name, ObjectID: id, Date: date, PollDate: d.pollDate, Raw: raw}
}

// deletions returns the remembered ids absent from this complete
// snapshot, and the missing counts that replace the remembered ones. With
// confirm an id is deleted only when missing from two snapshots in a row;
// without it the counts are emptied, so that none is left over from a
// configuration that confirmed.
func (d *decider) deletions(confirm bool) ([]string, map[string]int) {
	var deletes []string
	missing := make(map[string]int)
	d.seen.unseen(&d.st.Records, func(id string) {
		if confirm {
			n := d.st.Missing[id] + 1
			if n < 2 {
				missing[id] = n
				return
			}
		}
		deletes = append(deletes, id)
	})
	return deletes, missing
}
