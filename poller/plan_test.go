package poller_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/javatime"
	"github.com/a12b7632/elementevents/poller"
)

// TestPlanCompiledOnceAtNew: NewHTTPSource compiles each resource of the
// instance once, and cycles of several pages only run the plan; a
// Request.Config the instance does not hold is compiled at its first
// Fetch and kept.
func TestPlanCompiledOnceAtNew(t *testing.T) {
	t.Parallel()
	var src *poller.HTTPSource
	r := newE2EWooRig(t, e2eWooCustomers, func(cfg *poller.Config) {
		var err error
		src, err = poller.NewHTTPSource(poller.HTTPConfig{Instance: cfg.Instance, Guard: cfg.Guard, Clock: cfg.Clock})
		require.NoError(t, err)
		cfg.Source = src
	})
	require.EqualValues(t, 1, poller.PlansCompiled(src), "one resource, compiled by NewHTTPSource")
	r.seedCustomers(5)
	for range 3 {
		c := r.poll(t)
		require.NoError(t, c.res.Err)
		require.Equal(t, 3, c.res.Pages) // two customers a page
	}
	require.EqualValues(t, 1, poller.PlansCompiled(src), "cycles compile nothing")

	// Another configuration of the resource, then another resource.
	other := r.inst.Configuration.Events.Resources["customers"]
	other.PageSize = 5
	for _, req := range []poller.Request{{Resource: "customers", Config: other}, {Resource: "clients", Config: other}} {
		for range 2 {
			page, err := src.Fetch(t.Context(), req)
			require.NoError(t, err)
			require.Len(t, page.Records, 5)
		}
	}
	require.EqualValues(t, 3, poller.PlansCompiled(src), "compiled at the first Fetch, then kept")
}

// TestNewRefusesBadDates: a date pattern or zone the poller cannot read
// fails New, naming its configuration key, rather than a poll. Parse
// refuses them too; an instance changed in Go may hold them.
func TestNewRefusesBadDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		dates   func(*element.Dates)
		source  bool // the default HTTPSource, which compiles the URL in the updated date's zone
		wantErr error
		wantKey string
	}{
		{"updated zone", func(d *element.Dates) { d.UpdatedTimezone = "Mars/Olympus" }, false, javatime.ErrZone, "updatedDateTimezone"},
		{"updated zone, default source", func(d *element.Dates) { d.UpdatedTimezone = "Mars/Olympus" }, true, javatime.ErrZone, "updatedDateTimezone"},
		{"created zone", func(d *element.Dates) { d.CreatedTimezone = "Mars/Olympus" }, true, javatime.ErrZone, "createdDateTimezone"},
		{"updated pattern", func(d *element.Dates) { d.UpdatedFormat = "yyyy-MM-dd'T" }, false, javatime.ErrPattern, "updatedDateFormat"},
		{"created pattern", func(d *element.Dates) { d.CreatedFormat = "yyyy-bb-dd" }, true, javatime.ErrPattern, "createdDateFormat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inst := instance(t, customersResource)
			res := inst.Configuration.Events.Resources["customers"]
			tt.dates(&res.Dates)
			inst.Configuration.Events.Resources["customers"] = res
			cfg := poller.Config{Instance: inst, Sink: &eventstest.Recorder{}}
			if !tt.source {
				cfg.Source = newStore(nil)
			}
			p, err := poller.New(cfg)
			require.ErrorIs(t, err, poller.ErrConfig)
			require.ErrorIs(t, err, tt.wantErr)
			require.ErrorContains(t, err, "event.poller.configuration.customers.datesConfiguration."+tt.wantKey)
			require.Nil(t, p)
		})
	}
}
