package poller

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
)

// TestClassify holds the Cloud Elements rules on their own: what a
// record's dates make of it, against the window start, whether the poller
// remembers it or not.
func TestClassify(t *testing.T) {
	t.Parallel()
	const layout = "yyyy-MM-dd'T'HH:mm:ss"
	since := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	byUpdated := element.Resource{URL: "/c", IDField: "id", FilterByUpdatedDate: true, CreatedCheckTolerance: 2 * time.Second,
		Dates: element.Dates{UpdatedFormat: layout, CreatedFormat: layout}}
	byCreated := byUpdated
	byCreated.FilterByUpdatedDate = false
	tests := []struct {
		name             string
		res              element.Resource
		updated, created string
		known            bool
		want             events.Type // "" for old news
		wantBad          bool
	}{
		{"created and updated together", byUpdated, "2026-11-24T12:05:00", "2026-11-24T12:05:00", false, events.Created, false},
		{"updated within the tolerance", byUpdated, "2026-11-24T12:05:02", "2026-11-24T12:05:00", false, events.Created, false},
		{"updated past the tolerance", byUpdated, "2026-11-24T12:05:03", "2026-11-24T12:05:00", false, events.Updated, false},
		{"remembered", byUpdated, "2026-11-24T12:05:00", "2026-11-24T12:05:00", true, events.Updated, false},
		{"updated at the window start", byUpdated, "2026-11-24T12:00:00", "2026-11-24T11:00:00", false, "", false},
		{"updated before the window", byUpdated, "2026-11-24T11:59:59", "2026-11-24T11:00:00", true, "", false},
		{"only an updated date", byUpdated, "2026-11-24T12:05:00", "", false, events.Created, false},
		{"only a created date", byUpdated, "", "2026-11-24T12:05:00", false, events.Created, false},
		{"no dates", byUpdated, "", "", false, events.Created, false},
		{"no dates, remembered", byUpdated, "", "", true, events.Updated, false},
		{"a date off its pattern is no date", byUpdated, "24/11/2026", "2026-11-01T00:00:00", false, events.Created, true},
		{"by created date: created in the window", byCreated, "2026-11-24T11:00:00", "2026-11-24T12:05:00", false, events.Created, false},
		{"by created date: created before it", byCreated, "2026-11-24T12:30:00", "2026-11-24T11:00:00", false, "", false},
		{"by created date: only an updated date", byCreated, "2026-11-24T12:05:00", "", true, events.Created, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := compilePlan("c", tt.res, &Config{})
			require.NoError(t, err)
			d := p.dates(fields{Updated: tt.updated, Created: tt.created})
			require.Equal(t, tt.wantBad, d.bad)
			typ, news := p.classify(d, tt.known, since)
			require.Equal(t, tt.want, typ)
			require.Equal(t, tt.want != "", news)
		})
	}
}
