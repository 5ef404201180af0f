package eventlogtest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/internal/suite"
)

var listCases = []suite.Case[*rig]{
	{Name: "NewestFirstThenIDDescending", Test: func(t *testing.T, r *rig) {
		// Appended out of order; b, ba and c share a Created.
		for _, e := range []engine.LoggedEvent{
			r.event("t", "i", "b", at(5)), r.event("t", "i", "a", at(1)), r.event("t", "i", "c", at(5)),
			r.event("t", "i", "ba", at(5)), r.event("t", "i", "z", at(0)), r.event("t", "i", "d", at(9)),
		} {
			r.append(e)
		}
		want := []string{r.id("d"), r.id("c"), r.id("ba"), r.id("b"), r.id("a"), r.id("z")}
		require.Equal(t, want, r.list(engine.EventFilter{Tenant: r.tenant("t")}))
		require.Equal(t, want[3:], r.list(engine.EventFilter{Tenant: r.tenant("t"), After: r.id("ba")}), "a cursor inside a tie")
	}},
	{Name: "Filters", Test: func(t *testing.T, r *rig) {
		a := r.event("t", "inst-a", "a", at(0))
		b := r.event("t", "inst-b", "b", at(10))
		b.ObjectType, b.EventTypes = "invoices", []string{"CREATED", "DELETED"}
		b.Status = engine.StatusFailed
		c := r.event("t", "inst-a", "c", at(20))
		c.EventTypes, c.Status = []string{"CREATED"}, engine.StatusDead
		d := r.event("t", "inst-b", "d", at(30))
		d.Status = engine.StatusNotified
		r.append(a, b, c, d)
		for name, tt := range map[string]struct {
			f    engine.EventFilter
			want []engine.LoggedEvent
		}{
			"all":                {engine.EventFilter{}, []engine.LoggedEvent{d, c, b, a}},
			"instance":           {engine.EventFilter{Instance: "inst-a"}, []engine.LoggedEvent{c, a}},
			"unknown instance":   {engine.EventFilter{Instance: "inst-z"}, nil},
			"one status":         {engine.EventFilter{Statuses: []engine.EventStatus{engine.StatusDead}}, []engine.LoggedEvent{c}},
			"two statuses":       {engine.EventFilter{Statuses: []engine.EventStatus{engine.StatusNew, engine.StatusFailed}}, []engine.LoggedEvent{b, a}},
			"status of instance": {engine.EventFilter{Instance: "inst-b", Statuses: []engine.EventStatus{engine.StatusNotified}}, []engine.LoggedEvent{d}},
			"event type":         {engine.EventFilter{EventType: "CREATED"}, []engine.LoggedEvent{c, b}},
			"other event type":   {engine.EventFilter{EventType: "DELETED"}, []engine.LoggedEvent{b}},
			"object type":        {engine.EventFilter{ObjectType: "contacts"}, []engine.LoggedEvent{d, c, a}},
			"since, inclusive":   {engine.EventFilter{Since: at(10)}, []engine.LoggedEvent{d, c, b}},
			"until, exclusive":   {engine.EventFilter{Until: at(20)}, []engine.LoggedEvent{b, a}},
			"since and until":    {engine.EventFilter{Since: at(5), Until: at(25)}, []engine.LoggedEvent{c, b}},
			"empty window":       {engine.EventFilter{Since: at(25), Until: at(25)}, nil},
			"everything at once": {engine.EventFilter{Instance: "inst-a", Statuses: []engine.EventStatus{engine.StatusDead, engine.StatusNew}, EventType: "CREATED", ObjectType: "contacts", Since: at(0), Until: at(30)}, []engine.LoggedEvent{c}},
		} {
			tt.f.Tenant = r.tenant("t")
			page, err := r.l.List(t.Context(), tt.f)
			require.NoError(t, err, name)
			require.NotNil(t, page, "%s: an empty page is empty, not nil", name)
			require.Equal(t, ids(tt.want), ids(page), name)
			for i := range tt.want {
				requireEvent(t, tt.want[i], page[i])
			}
		}
	}},
	{Name: "PagesCoverEveryEventOnce", Test: func(t *testing.T, r *rig) {
		var all []engine.LoggedEvent
		for i := range 61 {
			// Created out of order, with ties, over two instances.
			e := r.event("t", fmt.Sprintf("inst-%d", i%2), fmt.Sprintf("%03d", (i*17)%61), at((i*7)%23))
			all = append(all, e)
		}
		r.append(all[:30]...)
		r.append(all[30:]...)
		slices.SortFunc(all, func(a, b engine.LoggedEvent) int {
			if c := b.Created.Compare(a.Created); c != 0 {
				return c
			}
			return -compareStrings(a.ID, b.ID)
		})
		for _, tt := range []struct {
			name string
			f    engine.EventFilter
			keep func(engine.LoggedEvent) bool
		}{
			{"tenant", engine.EventFilter{}, func(engine.LoggedEvent) bool { return true }},
			{"instance", engine.EventFilter{Instance: "inst-1"}, func(e engine.LoggedEvent) bool { return e.Instance == "inst-1" }},
			{"window", engine.EventFilter{Since: at(3), Until: at(20)}, func(e engine.LoggedEvent) bool { return !e.Created.Before(at(3)) && e.Created.Before(at(20)) }},
		} {
			var want []string
			for _, e := range all {
				if tt.keep(e) {
					want = append(want, e.ID)
				}
			}
			f := tt.f
			f.Tenant, f.Limit = r.tenant("t"), 7
			var got []string
			for pages := 0; ; pages++ {
				require.Less(t, pages, 12, tt.name)
				page := r.list(f)
				require.LessOrEqual(t, len(page), 7, tt.name)
				got = append(got, page...)
				if len(page) < 7 {
					break
				}
				f.After = page[len(page)-1]
			}
			require.Equal(t, want, got, "%s: no gap, no duplicate, newest first", tt.name)
		}
	}},
	{Name: "Limits", Test: func(t *testing.T, r *rig) {
		evs := make([]engine.LoggedEvent, engine.MaxListLimit+1)
		for i := range evs {
			evs[i] = r.event("t", "inst-1", fmt.Sprintf("%05d", i), at(i))
		}
		r.append(evs...)
		tenant := r.tenant("t")
		require.Len(t, r.list(engine.EventFilter{Tenant: tenant}), engine.DefaultListLimit, "zero limit is the default")
		require.Len(t, r.list(engine.EventFilter{Tenant: tenant, Limit: 3}), 3)
		require.Len(t, r.list(engine.EventFilter{Tenant: tenant, Limit: engine.MaxListLimit * 5}), engine.MaxListLimit, "capped")
		for name, f := range map[string]engine.EventFilter{
			"negative limit": {Tenant: tenant, Limit: -1},
			"no tenant":      {Limit: 1},
			"bad status":     {Tenant: tenant, Statuses: []engine.EventStatus{"LOST"}},
			"unknown cursor": {Tenant: tenant, After: r.id("none")},
		} {
			_, err := r.l.List(t.Context(), f)
			require.ErrorIs(t, err, engine.ErrInvalid, name)
		}
	}},
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// p0 is the Prune case's time, years before every other case's, so that
// its Prune removes only its own notifications from a shared log.
var p0 = time.Date(2001, 2, 3, 4, 5, 6, 789000, time.UTC)

var pruneCases = []suite.Case[*rig]{
	{Name: "RemovesWhatWasCreatedBefore", Test: func(t *testing.T, r *rig) {
		var evs []engine.LoggedEvent
		for i := range 5 {
			evs = append(evs, r.event("t", "inst-1", fmt.Sprint(i), p0.Add(time.Duration(i)*time.Hour)))
		}
		r.append(evs...)
		r.update(engine.EventUpdate{ID: evs[0].ID, Status: engine.StatusDead, At: p0.Add(9 * time.Hour), Reason: "x"})
		n, err := r.l.Prune(t.Context(), evs[3].Created)
		require.NoError(t, err)
		require.Equal(t, 3, n, "created strictly before")
		for i, e := range evs {
			_, err := r.l.Get(t.Context(), e.Tenant, e.ID)
			if i < 3 {
				require.ErrorIs(t, err, engine.ErrEventNotFound, "event %d is gone", i)
			} else {
				require.NoError(t, err, "event %d is kept", i)
			}
		}
		require.Equal(t, []string{evs[4].ID, evs[3].ID}, r.list(engine.EventFilter{Tenant: r.tenant("t")}))
		require.Equal(t, []string{evs[4].ID, evs[3].ID}, r.list(engine.EventFilter{Tenant: r.tenant("t"), Instance: "inst-1"}))
		require.Empty(t, r.list(engine.EventFilter{Tenant: r.tenant("t"), Statuses: []engine.EventStatus{engine.StatusDead}}))
		r.update(engine.EventUpdate{ID: evs[1].ID, Status: engine.StatusNotified, At: p0.Add(10 * time.Hour)})
		_, err = r.l.Get(t.Context(), evs[1].Tenant, evs[1].ID)
		require.ErrorIs(t, err, engine.ErrEventNotFound, "an update does not bring it back")
		n, err = r.l.Prune(t.Context(), evs[3].Created)
		require.NoError(t, err)
		require.Zero(t, n, "nothing left to prune")
		r.append(evs[0]) // its id is free again
		requireEvent(t, evs[0], r.get(evs[0]))
	}},
}

var concurrencyCases = []suite.Case[*rig]{
	{Name: "AppendsUpdatesAndListsTogether", Test: func(t *testing.T, r *rig) {
		const writers, each = 8, 25
		tenant := r.tenant("t")
		var wg sync.WaitGroup
		errs := make(chan error, writers*(each*3+1)+writers)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					e := r.event("t", fmt.Sprintf("inst-%d", w), fmt.Sprintf("%d-%d", w, i), at(i))
					a := attempt(1, 200, at(i+1))
					errs <- r.l.Append(t.Context(), e)
					errs <- r.l.Update(t.Context(), engine.EventUpdate{ID: e.ID, Status: engine.StatusDispatched, At: at(i)})
					errs <- r.l.Update(t.Context(), engine.EventUpdate{ID: e.ID, Status: engine.StatusNotified, At: a.At, Attempt: &a})
				}
			})
			wg.Go(func() {
				_, err := r.l.List(t.Context(), engine.EventFilter{Tenant: tenant, Limit: 50})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		page, err := r.l.List(t.Context(), engine.EventFilter{Tenant: tenant, Limit: engine.MaxListLimit})
		require.NoError(t, err)
		require.Len(t, page, writers*each)
		for _, e := range page {
			require.Equal(t, engine.StatusNotified, e.Status, e.ID)
			require.Len(t, e.Attempts, 1, e.ID)
		}
	}},
	{Name: "NoAttemptIsLost", Test: func(t *testing.T, r *rig) {
		e := r.event("t", "inst-1", "1", at(0))
		r.append(e)
		const n = 16
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				a := attempt(i+1, 500, at(i+1))
				require.NoError(t, r.l.Update(t.Context(), engine.EventUpdate{ID: e.ID, Status: engine.StatusFailed, At: a.At, Attempt: &a}))
			})
		}
		wg.Wait()
		got := r.get(e)
		require.Len(t, got.Attempts, n, "every concurrent update's attempt is kept")
		latencies := map[time.Duration]bool{}
		for _, a := range got.Attempts {
			latencies[a.Latency] = true
		}
		require.Len(t, latencies, n, "each attempt once")
	}},
}
