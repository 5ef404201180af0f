// Package eventlogtest is the conformance suite for implementations of
// [engine.EventLog]: the in-memory log runs it, and so must the durable
// ones, so that a host can move between them without changing what an
// update or a page means.
//
//	func TestEventLog(t *testing.T) {
//		eventlogtest.Run(t, func(t *testing.T) engine.EventLog {
//			return mystore.EventLog(...)
//		})
//	}
//
// Every case uses tenants and ids of its own, and only the Prune case
// logs notifications created before 2026 (in 2001), so logs that share
// one table may be returned.
package eventlogtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/internal/suite"
	"github.com/a12b7632/elementevents/notify"
)

// Run runs the conformance suite on the logs newLog returns, one per
// case. Subtests run in parallel, so newLog may be called concurrently.
func Run(t *testing.T, newLog func(t *testing.T) engine.EventLog) {
	t.Helper()
	suite.Run(t, groups, func(t *testing.T) *rig {
		return &rig{t: t, l: newLog(t), prefix: t.Name() + "/"}
	})
}

// rig is one case's log, and the prefix of its tenants and ids.
type rig struct {
	t      *testing.T
	l      engine.EventLog
	prefix string
}

func (r *rig) tenant(name string) string { return r.prefix + name }
func (r *rig) id(name string) string     { return r.prefix + name }

// t0 has microseconds, the precision every log keeps.
var t0 = time.Date(2026, 12, 7, 12, 0, 0, 123456000, time.UTC)

// at returns t0 plus d seconds.
func at(d int) time.Time { return t0.Add(time.Duration(d) * time.Second) }

// event returns a NEW notification id of instance inst of tenant, created
// at created, with one UPDATED event of object type "contacts".
func (r *rig) event(tenant, inst, id string, created time.Time) engine.LoggedEvent {
	body := fmt.Sprintf(`{"message":{"eventId":%q,"instanceId":%q,"events":[{"eventType":"UPDATED","objectType":"contacts","objectId":"1"}],"raw":{"note":"✓"}}}`, r.id(id), inst)
	return engine.LoggedEvent{
		ID: r.id(id), Tenant: r.tenant(tenant), Instance: inst,
		ObjectType: "contacts", EventTypes: []string{"UPDATED"}, Events: 1,
		Body: json.RawMessage(body), Status: engine.StatusNew, Created: created, Updated: created,
	}
}

func (r *rig) append(evs ...engine.LoggedEvent) {
	r.t.Helper()
	require.NoError(r.t, r.l.Append(r.t.Context(), evs...))
}

func (r *rig) update(us ...engine.EventUpdate) {
	r.t.Helper()
	require.NoError(r.t, r.l.Update(r.t.Context(), us...))
}

func (r *rig) get(e engine.LoggedEvent) engine.LoggedEvent {
	r.t.Helper()
	got, err := r.l.Get(r.t.Context(), e.Tenant, e.ID)
	require.NoError(r.t, err, "Get(%s)", e.ID)
	return got
}

// list returns the ids of the page f selects, f.Tenant being a name.
func (r *rig) list(f engine.EventFilter) []string {
	r.t.Helper()
	page, err := r.l.List(r.t.Context(), f)
	require.NoError(r.t, err, "List(%+v)", f)
	return ids(page)
}

func ids(evs []engine.LoggedEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// attempt returns attempt n (from 1) at, with a status and a response.
func attempt(n, status int, at time.Time) notify.Attempt {
	a := notify.Attempt{At: at, Status: status, Latency: time.Duration(n) * 1500 * time.Microsecond}
	if status >= 300 {
		a.Error = fmt.Sprintf("HTTP %d", status)
		a.Response = fmt.Appendf(nil, `{"attempt":%d}`, n)
	}
	return a
}

// requireEvent compares notifications field by field, times as instants
// that must come back in UTC; empty and nil slices are alike.
func requireEvent(t *testing.T, want, got engine.LoggedEvent) {
	t.Helper()
	require.Equal(t, want.ID, got.ID, "ID")
	require.Equal(t, want.Tenant, got.Tenant, "Tenant")
	require.Equal(t, want.Instance, got.Instance, "Instance")
	require.Equal(t, want.ObjectType, got.ObjectType, "ObjectType")
	require.Equal(t, slices.Concat([]string{}, want.EventTypes), slices.Concat([]string{}, got.EventTypes), "EventTypes")
	require.Equal(t, want.Events, got.Events, "Events")
	require.Equal(t, string(want.Body), string(got.Body), "Body, byte for byte")
	require.Equal(t, want.Status, got.Status, "Status")
	requireTime(t, want.Created, got.Created, "Created")
	requireTime(t, want.Updated, got.Updated, "Updated")
	require.Len(t, got.Attempts, len(want.Attempts), "Attempts")
	for i, a := range want.Attempts {
		g := got.Attempts[i]
		requireTime(t, a.At, g.At, fmt.Sprintf("Attempts[%d].At", i))
		require.Equal(t, a.Status, g.Status, "Attempts[%d].Status", i)
		require.Equal(t, a.Latency, g.Latency, "Attempts[%d].Latency", i)
		require.Equal(t, a.Error, g.Error, "Attempts[%d].Error", i)
		require.Equal(t, string(a.Response), string(g.Response), "Attempts[%d].Response", i)
	}
	require.Equal(t, want.Reason, got.Reason, "Reason")
}

func requireTime(t *testing.T, want, got time.Time, what string) {
	t.Helper()
	require.True(t, want.Equal(got), "%s: want %s, got %s", what, want, got)
	require.Equal(t, time.UTC, got.Location(), "%s is in UTC", what)
}

var groups = []suite.Group[*rig]{
	{Name: "Append", Cases: appendCases},
	{Name: "Update", Cases: updateCases},
	{Name: "Tenants", Cases: tenantCases},
	{Name: "List", Cases: listCases},
	{Name: "Prune", Cases: pruneCases},
	{Name: "Concurrency", Cases: concurrencyCases},
}

var appendCases = []suite.Case[*rig]{
	{Name: "GetReturnsWhatWasAppended", Test: func(t *testing.T, r *rig) {
		e := r.event("t", "inst-1", "1", at(0))
		e.EventTypes, e.Events = []string{"CREATED", "UPDATED"}, 3
		e.Status, e.Updated = engine.StatusFailed, at(5)
		e.Attempts = []notify.Attempt{attempt(1, 503, at(1))}
		r.append(e)
		requireEvent(t, e, r.get(e))
	}},
	{Name: "SkipsIDsHeld", Test: func(t *testing.T, r *rig) {
		e := r.event("t", "inst-1", "1", at(0))
		again := e
		again.Body, again.Status, again.Created = json.RawMessage(`{"again":true}`), engine.StatusDead, at(9)
		r.append(e, again) // within one call
		r.append(again)    // and in a later one
		requireEvent(t, e, r.get(e))
		require.Equal(t, []string{e.ID}, r.list(engine.EventFilter{Tenant: e.Tenant}), "logged once")
	}},
	{Name: "RefusesBadEventsAndAppendsNone", Test: func(t *testing.T, r *rig) {
		for name, change := range map[string]func(*engine.LoggedEvent){
			"no tenant":  func(e *engine.LoggedEvent) { e.Tenant = "" },
			"no id":      func(e *engine.LoggedEvent) { e.ID = "" },
			"no status":  func(e *engine.LoggedEvent) { e.Status = "" },
			"bad status": func(e *engine.LoggedEvent) { e.Status = "SENT" },
		} {
			good := r.event("t", "inst-1", "good "+name, at(0))
			bad := r.event("t", "inst-1", name, at(0))
			change(&bad)
			require.ErrorIs(t, r.l.Append(t.Context(), good, bad), engine.ErrInvalid, name)
			_, err := r.l.Get(t.Context(), good.Tenant, good.ID)
			require.ErrorIs(t, err, engine.ErrEventNotFound, "%s: nothing of the call is appended", name)
		}
	}},
	{Name: "KeepsNoReferenceToTheCaller", Test: func(t *testing.T, r *rig) {
		e := r.event("t", "inst-1", "1", at(0))
		e.Attempts = []notify.Attempt{attempt(1, 500, at(1))}
		want := r.event("t", "inst-1", "1", at(0))
		want.Attempts = []notify.Attempt{attempt(1, 500, at(1))}
		r.append(e)
		e.Body[2], e.EventTypes[0], e.Attempts[0].Response[0], e.Attempts[0].Status = 'X', "DELETED", 'X', 200
		got := r.get(want)
		requireEvent(t, want, got)
		got.Body[2], got.EventTypes[0], got.Attempts[0].Response[0] = 'Y', "DELETED", 'Y'
		got.Attempts = append(got.Attempts, attempt(2, 200, at(2)))
		requireEvent(t, want, r.get(want))
		page, err := r.l.List(t.Context(), engine.EventFilter{Tenant: want.Tenant})
		require.NoError(t, err)
		require.Len(t, page, 1)
		page[0].Body[2], page[0].EventTypes[0], page[0].Attempts[0].Response[0] = 'Z', "DELETED", 'Z'
		requireEvent(t, want, r.get(want))
	}},
	{Name: "TimesInUTCToTheMicrosecond", Test: func(t *testing.T, r *rig) {
		zone := time.FixedZone("UTC+5:30", 5*3600+1800)
		e := r.event("t", "inst-1", "1", at(0).In(zone))
		e.Updated = at(1).Add(7 * time.Microsecond).In(zone)
		e.Attempts = []notify.Attempt{attempt(1, 500, at(1).Add(3*time.Microsecond).In(zone))}
		r.append(e)
		got := r.get(e)
		requireEvent(t, e, got) // instants equal, location UTC
		require.Equal(t, 123456000, got.Created.Nanosecond())
		require.Equal(t, 123463000, got.Updated.Nanosecond())
		a := attempt(2, 200, at(2).Add(9*time.Microsecond).In(zone))
		r.update(engine.EventUpdate{ID: e.ID, Status: engine.StatusNotified, At: a.At, Attempt: &a})
		got = r.get(e)
		requireTime(t, a.At, got.Updated, "Updated after an update")
		requireTime(t, a.At, got.Attempts[1].At, "the attempt's At")
	}},
}

var updateCases = []suite.Case[*rig]{
	{Name: "StatusesWithAttemptsInOrder", Test: func(t *testing.T, r *rig) {
		e := r.event("t", "inst-1", "1", at(0))
		r.append(e)
		a1, a2 := attempt(1, 503, at(2)), attempt(2, 404, at(70))
		for _, step := range []struct {
			u    engine.EventUpdate
			want func(*engine.LoggedEvent)
		}{
			{engine.EventUpdate{Status: engine.StatusDispatched, At: at(1)}, func(*engine.LoggedEvent) {}},
			{engine.EventUpdate{Status: engine.StatusFailed, At: at(3), Attempt: &a1, Reason: "not kept"},
				func(w *engine.LoggedEvent) { w.Attempts = []notify.Attempt{a1} }},
			{engine.EventUpdate{Status: engine.StatusDispatched, At: at(69)}, func(*engine.LoggedEvent) {}},
			{engine.EventUpdate{Status: engine.StatusDead, At: at(71), Attempt: &a2, Reason: "HTTP 404: not retried"},
				func(w *engine.LoggedEvent) {
					w.Attempts = []notify.Attempt{a1, a2}
					w.Reason = "HTTP 404: not retried"
				}},
			{engine.EventUpdate{Status: engine.StatusNew, At: at(100)}, func(w *engine.LoggedEvent) { w.Reason = "" }},
		} {
			step.u.ID = e.ID
			r.update(step.u)
			e.Status, e.Updated = step.u.Status, step.u.At
			step.want(&e)
			requireEvent(t, e, r.get(e))
		}
	}},
	{Name: "SeveralInOneCallApplyInOrder", Test: func(t *testing.T, r *rig) {
		e := r.event("t", "inst-1", "1", at(0))
		r.append(e)
		a := attempt(1, 200, at(2))
		r.update(
			engine.EventUpdate{ID: e.ID, Status: engine.StatusDispatched, At: at(1)},
			engine.EventUpdate{ID: r.id("never logged"), Status: engine.StatusNotified, At: at(1)},
			engine.EventUpdate{ID: e.ID, Status: engine.StatusNotified, At: at(2), Attempt: &a},
		)
		e.Status, e.Updated, e.Attempts = engine.StatusNotified, at(2), []notify.Attempt{a}
		requireEvent(t, e, r.get(e))
		_, err := r.l.Get(t.Context(), e.Tenant, r.id("never logged"))
		require.ErrorIs(t, err, engine.ErrEventNotFound, "an update logs nothing")
	}},
	{Name: "RefusesBadUpdatesAndAppliesNone", Test: func(t *testing.T, r *rig) {
		e := r.event("t", "inst-1", "1", at(0))
		r.append(e)
		for name, bad := range map[string]engine.EventUpdate{
			"no id":      {Status: engine.StatusDead, At: at(1)},
			"no status":  {ID: e.ID, At: at(1)},
			"bad status": {ID: e.ID, Status: "DELIVERED", At: at(1)},
		} {
			good := engine.EventUpdate{ID: e.ID, Status: engine.StatusDispatched, At: at(1)}
			require.ErrorIs(t, r.l.Update(t.Context(), good, bad), engine.ErrInvalid, name)
			requireEvent(t, e, r.get(e))
		}
	}},
	{Name: "StatusFilterFollowsUpdates", Test: func(t *testing.T, r *rig) {
		e := r.event("t", "inst-1", "1", at(0))
		r.append(e)
		f := engine.EventFilter{Tenant: e.Tenant, Instance: "inst-1", Statuses: []engine.EventStatus{engine.StatusDead}}
		require.Empty(t, r.list(f))
		r.update(engine.EventUpdate{ID: e.ID, Status: engine.StatusDead, At: at(1), Reason: "gone"})
		require.Equal(t, []string{e.ID}, r.list(f))
		r.update(engine.EventUpdate{ID: e.ID, Status: engine.StatusNew, At: at(2)})
		require.Empty(t, r.list(f), "replayed: no longer DEAD")
	}},
}

var tenantCases = []suite.Case[*rig]{
	{Name: "AnotherTenantsIsNotFound", Test: func(t *testing.T, r *rig) {
		e := r.event("t", "inst-1", "1", at(0))
		r.append(e)
		_, err := r.l.Get(t.Context(), r.tenant("u"), e.ID)
		require.ErrorIs(t, err, engine.ErrEventNotFound)
		_, err = r.l.Get(t.Context(), e.Tenant, r.id("none"))
		require.ErrorIs(t, err, engine.ErrEventNotFound)
	}},
	{Name: "ListSeesOnlyItsOwn", Test: func(t *testing.T, r *rig) {
		var mine []string
		for i := range 6 {
			tenant := []string{"t", "u"}[i%2]
			e := r.event(tenant, "inst-shared", fmt.Sprint(i), at(i))
			r.append(e)
			if tenant == "t" {
				mine = append([]string{e.ID}, mine...) // newest first
			}
		}
		require.Equal(t, mine, r.list(engine.EventFilter{Tenant: r.tenant("t")}))
		require.Equal(t, mine, r.list(engine.EventFilter{Tenant: r.tenant("t"), Instance: "inst-shared"}))
		require.Empty(t, r.list(engine.EventFilter{Tenant: r.tenant("nobody")}))
		_, err := r.l.List(t.Context(), engine.EventFilter{Tenant: r.tenant("t"), After: r.id("1")})
		require.ErrorIs(t, err, engine.ErrInvalid, "a cursor of another tenant's event")
	}},
}
