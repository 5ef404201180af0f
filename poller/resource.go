package poller

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/javatime"
)

// resource is the compiled configuration of one polled resource and the
// state the poller keeps for it between cycles.
type resource struct {
	name    string
	cfg     element.Resource
	x       *extractor
	updated dateReader
	created dateReader
	// snapshots: the URL has no date filter, so every cycle lists
	// everything.
	snapshots bool

	stopped atomic.Bool

	mu    sync.Mutex // one cycle at a time
	state *ResourceState
}

func newResource(name string, rc element.Resource) (*resource, error) {
	r := &resource{
		name:      name,
		cfg:       rc,
		x:         newExtractor(rc.IDField, rc.Dates.UpdatedField, rc.Dates.CreatedField),
		snapshots: !hasDatePlaceholder(rc.URL),
	}
	var err error
	key := vocab.KeyPollerConfiguration + "." + name + ".datesConfiguration"
	if r.updated, err = newDateReader(rc.Dates.UpdatedFormat, rc.Dates.UpdatedTimezone); err != nil {
		return nil, fmt.Errorf("%w: %s.updatedDateFormat: %w", ErrConfig, key, err)
	}
	if r.created, err = newDateReader(rc.Dates.CreatedFormat, rc.Dates.CreatedTimezone); err != nil {
		return nil, fmt.Errorf("%w: %s.createdDateFormat: %w", ErrConfig, key, err)
	}
	return r, nil
}

// dateReader reads a record's date with the configured Java pattern, or,
// when none is configured or the value does not match it, as RFC 3339, a
// zone-less ISO date (in the configured zone), or epoch milliseconds.
type dateReader struct {
	df  *javatime.Layout
	loc *time.Location
}

func newDateReader(pattern, zone string) (dateReader, error) {
	loc, err := javatime.LoadLocation(zone)
	if err != nil {
		return dateReader{}, err
	}
	if pattern == "" {
		return dateReader{loc: loc}, nil
	}
	df, err := javatime.NewLayout(pattern, zone)
	if err != nil {
		return dateReader{}, err
	}
	return dateReader{df: df, loc: loc}, nil
}

// read returns the date, or zero when raw is empty or unreadable.
func (d dateReader) read(raw string) (time.Time, bool) {
	if raw == "" {
		return time.Time{}, false
	}
	if d.df != nil {
		if t, err := d.df.Parse(raw); err == nil {
			return t, true
		}
		// Vendors drop parts of their own format (Concur writes a whole
		// second without the .SSS its pattern has): an ISO 8601 reading in
		// the configured zone is better than losing the date.
	}
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, raw, d.loc); err == nil {
			return t, true
		}
	}
	if ms, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err == nil {
		return time.UnixMilli(ms), true
	}
	return time.Time{}, false
}
