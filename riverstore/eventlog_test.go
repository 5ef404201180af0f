package riverstore_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/engine/eventlogtest"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/riverstore"
)

// newEventLog returns an event log on pool, in schema when it is set.
func newEventLog(t testing.TB, pool *pgxpool.Pool, schema string) engine.EventLog {
	t.Helper()
	l, err := riverstore.NewEventLog(pool, riverstore.StoreConfig{Schema: schema})
	require.NoError(t, err)
	return l
}

// The conformance suite's cases share one schema (each uses tenants and
// ids of its own), as replicas share one table.
func TestEventLogConformance(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 16)
	l := newEventLog(t, pool, "")
	eventlogtest.Run(t, func(*testing.T) engine.EventLog { return l })
}

// loggedAt returns a NEW notification of tenant "t".
func loggedAt(id, instance string, created time.Time) engine.LoggedEvent {
	return engine.LoggedEvent{ID: id, Tenant: "t", Instance: instance, ObjectType: "contacts",
		EventTypes: []string{"UPDATED"}, Events: 1, Body: json.RawMessage(`{"message":{}}`),
		Status: engine.StatusNew, Created: created, Updated: created}
}

var logT0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func TestNewEventLogNeedsAPool(t *testing.T) {
	t.Parallel()
	_, err := riverstore.NewEventLog(nil, riverstore.StoreConfig{})
	require.ErrorIs(t, err, riverstore.ErrConfig)
}

// Two replicas, each with a pool and a log of its own on one database:
// what one appends and updates the other lists, with the schema named in
// StoreConfig rather than in the search_path.
func TestEventLogIsSharedByReplicas(t *testing.T) {
	t.Parallel()
	_, schema := setup(t, 4)
	a := newEventLog(t, connect(t, "", 4), schema)
	b := newEventLog(t, connect(t, "", 4), schema)
	e := loggedAt("shared-1", "42", logT0)
	require.NoError(t, a.Append(t.Context(), e))
	at := logT0.Add(time.Second)
	require.NoError(t, a.Update(t.Context(), engine.EventUpdate{ID: e.ID, Status: engine.StatusNotified, At: at,
		Attempt: &notify.Attempt{At: at, Status: 200}}))
	page, err := b.List(t.Context(), engine.EventFilter{Tenant: "t", Instance: "42", Statuses: []engine.EventStatus{engine.StatusNotified}})
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, e.ID, page[0].ID)
	require.Len(t, page[0].Attempts, 1)
	require.NoError(t, b.Append(t.Context(), e), "appended again by the other replica: skipped")
	got, err := b.Get(t.Context(), "t", e.ID)
	require.NoError(t, err)
	require.Equal(t, engine.StatusNotified, got.Status, "the second Append changed nothing")
}

// Text PostgreSQL cannot hold is refused as invalid, or not found; an
// attempt's error and response are kept whatever their bytes.
func TestEventLogText(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 4)
	l := newEventLog(t, pool, "")
	for name, tt := range map[string]struct {
		change  func(*engine.LoggedEvent)
		wantErr error
	}{
		"NUL in the id":           {func(e *engine.LoggedEvent) { e.ID = "a\x00b" }, engine.ErrInvalid},
		"invalid UTF-8 instance":  {func(e *engine.LoggedEvent) { e.Instance = "\xff" }, engine.ErrInvalid},
		"NUL in an event type":    {func(e *engine.LoggedEvent) { e.EventTypes = []string{"UP\x00"} }, engine.ErrInvalid},
		"NUL in the object type":  {func(e *engine.LoggedEvent) { e.ObjectType = "\x00" }, engine.ErrInvalid},
		"events past an integer":  {func(e *engine.LoggedEvent) { e.Events = 1 << 40 }, engine.ErrInvalid},
		"NUL and bytes in a body": {func(e *engine.LoggedEvent) { e.Body = []byte("\x00\xff{") }, nil},
	} {
		e := loggedAt("text-"+name, "42", logT0)
		tt.change(&e)
		err := l.Append(t.Context(), e)
		require.ErrorIs(t, err, tt.wantErr, name)
		if tt.wantErr != nil {
			require.ErrorContains(t, err, "LoggedEvent.", "%s: the error names the field", name)
		}
	}
	_, err := l.Get(t.Context(), "t", "a\x00b")
	require.ErrorIs(t, err, engine.ErrEventNotFound)
	got, err := l.Get(t.Context(), "t", "text-NUL and bytes in a body")
	require.NoError(t, err)
	require.Equal(t, "\x00\xff{", string(got.Body))
	_, err = l.List(t.Context(), engine.EventFilter{Tenant: "t", After: "\x00"})
	require.ErrorIs(t, err, engine.ErrInvalid)
	require.ErrorIs(t, l.Update(t.Context(), engine.EventUpdate{ID: got.ID, Status: engine.StatusDead, Reason: "\x00"}), engine.ErrInvalid)

	a := notify.Attempt{At: logT0.Add(1500 * time.Nanosecond), Status: 502, Latency: 1234567891,
		Error: "bad gateway: \x00\xfe", Response: []byte("\x00\xff not json")}
	require.NoError(t, l.Update(t.Context(), engine.EventUpdate{ID: got.ID, Status: engine.StatusFailed, At: a.At, Attempt: &a}))
	got, err = l.Get(t.Context(), "t", got.ID)
	require.NoError(t, err)
	require.Len(t, got.Attempts, 1)
	require.Equal(t, a.Error, got.Attempts[0].Error, "an error jsonb cannot hold as text")
	require.Equal(t, a.Response, got.Attempts[0].Response)
	require.Equal(t, a.Latency, got.Attempts[0].Latency)
	require.Equal(t, logT0.Add(time.Microsecond), got.Attempts[0].At, "to the microsecond, truncated as the columns are")
	require.Equal(t, logT0.Add(time.Microsecond), got.Updated)
}

// A page of one instance of thousands of notifications, with and
// without one status, reads the instance's index in order: no Sort, no
// scan of the tenant's other notifications. (A tenant's page may walk
// the creation index instead, when the planner expects the tenant's
// notifications to be spread evenly over time, as they are here.)
func TestEventLogListUsesTheIndexes(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 4)
	l := newEventLog(t, pool, "")
	const n = 8000
	evs := make([]engine.LoggedEvent, n)
	for i := range evs {
		evs[i] = loggedAt(fmt.Sprintf("idx-%05d", i), fmt.Sprintf("inst-%d", i%4), logT0.Add(time.Duration(i)*time.Second))
		if i%8 == 0 {
			evs[i].Status = engine.StatusDead
		}
	}
	require.NoError(t, l.Append(t.Context(), evs...))
	// Nine other tenants, as many notifications each, over the same time.
	_, err := pool.Exec(t.Context(), `INSERT INTO elementevents_event_log
		(id, tenant, instance, object_type, event_types, events, body, status, created, updated)
		SELECT 'other-' || g, 'other-' || g % 9, 'inst-' || g % 4, 'contacts', '{UPDATED}', 1, '\x7b7d', 'NEW',
			$1::timestamptz + g / 9 * interval '1 second', $1
		FROM generate_series(0, 9 * $2 - 1) g`, logT0, n)
	require.NoError(t, err)
	_, err = pool.Exec(t.Context(), "ANALYZE elementevents_event_log")
	require.NoError(t, err)
	for name, tt := range map[string]struct {
		where string
		index string
		// sorts: the planner may sort what the index found (it expects
		// few rows), but never reads other instances' rows.
		sorts bool
	}{
		"instance":           {"tenant = 't' AND instance = 'inst-0'", "elementevents_event_log_instance", false},
		"instance, a status": {"tenant = 't' AND instance = 'inst-0' AND status = 'DEAD'", "elementevents_event_log_instance_status", true},
		"instance, a cursor": {"tenant = 't' AND instance = 'inst-0' AND (created, id) < ('2026-12-07 13:00:00Z', 'idx-03600')", "elementevents_event_log_instance", false},
	} {
		rows, err := pool.Query(t.Context(), "EXPLAIN SELECT * FROM elementevents_event_log WHERE "+tt.where+
			" ORDER BY created DESC, id DESC LIMIT 100")
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var line string
			require.NoError(t, rows.Scan(&line))
			plan = append(plan, line)
		}
		require.NoError(t, rows.Err())
		text := strings.Join(plan, "\n")
		require.Regexp(t, `(using|on) `+tt.index+`( |$)`, text, "%s:\n%s", name, text)
		require.NotContains(t, text, "Seq Scan", "%s:\n%s", name, text)
		if !tt.sorts {
			require.NotContains(t, text, "Sort", "%s:\n%s", name, text)
		}
	}
	page, err := l.List(t.Context(), engine.EventFilter{Tenant: "t", Instance: "inst-0", Statuses: []engine.EventStatus{engine.StatusDead}, Limit: 3})
	require.NoError(t, err)
	require.Equal(t, []string{"idx-07992", "idx-07984", "idx-07976"}, []string{page[0].ID, page[1].ID, page[2].ID})
}

// Several statuses of one instance are read status by status and merged:
// pages still run newest first, then by id, with no gap or duplicate,
// whatever the cursor's status, and a status named twice counts once.
func TestEventLogListSeveralStatusesOfAnInstance(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 4)
	l := newEventLog(t, pool, "")
	statuses := []engine.EventStatus{engine.StatusDead, engine.StatusNotified, engine.StatusFailed, engine.StatusNew}
	var evs []engine.LoggedEvent
	var want []string
	for i := range 60 {
		// a's notifications (every third) in every status, two of them
		// per Created, ids not in creation order.
		e := loggedAt(fmt.Sprintf("several-%02d", (i*7)%60), []string{"a", "b", "b"}[i%3], logT0.Add(time.Duration(i/6)*time.Second))
		e.Status = statuses[i%4]
		evs = append(evs, e)
	}
	require.NoError(t, l.Append(t.Context(), evs...))
	slices.SortFunc(evs, func(x, y engine.LoggedEvent) int {
		if c := y.Created.Compare(x.Created); c != 0 {
			return c
		}
		return strings.Compare(y.ID, x.ID)
	})
	for _, e := range evs {
		if e.Instance == "a" && (e.Status == engine.StatusDead || e.Status == engine.StatusFailed) {
			want = append(want, e.ID)
		}
	}
	require.Len(t, want, 10, "half of a's 20 are DEAD or FAILED")
	f := engine.EventFilter{Tenant: "t", Instance: "a", Limit: 4,
		Statuses: []engine.EventStatus{engine.StatusFailed, engine.StatusDead, engine.StatusFailed}}
	var got []string
	for pages := 0; pages < 20; pages++ {
		page, err := l.List(t.Context(), f)
		require.NoError(t, err)
		for _, e := range page {
			got = append(got, e.ID)
		}
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].ID
	}
	require.Equal(t, want, got)
}
