package events_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func TestNewIDIsDeterministic(t *testing.T) {
	t.Parallel()
	id := events.NewID("inst", "customers", "42", events.Created, t0)
	require.Equal(t, id, events.NewID("inst", "customers", "42", events.Created, t0.In(time.FixedZone("X", 3600))), "same instant, other zone")
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	others := []string{
		events.NewID("inst2", "customers", "42", events.Created, t0),
		events.NewID("inst", "orders", "42", events.Created, t0),
		events.NewID("inst", "customers", "43", events.Created, t0),
		events.NewID("inst", "customers", "42", events.Updated, t0),
		events.NewID("inst", "customers", "42", events.Created, t0.Add(time.Millisecond)),
		// Field boundaries matter: "ab"+"c" is not "a"+"bc".
		events.NewID("inst", "customersx", "42", events.Created, t0),
		events.NewID("ins", "tcustomers", "42", events.Created, t0),
	}
	seen := map[string]bool{id: true}
	for _, o := range others {
		require.False(t, seen[o], "collision")
		seen[o] = true
	}
}

// TestNewIDStable pins ids: a change of the hashing would give every
// event already delivered a new id, and consumers would take repeats for
// new events.
func TestNewIDStable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                                  string
		instanceID, objectType, objectID, typ string
		want                                  string
	}{
		{"short fields", "inst", "customers", "42", "CREATED", "c4b59b8d-1c7d-8b89-9828-8ae4c2c7096d"},
		{"fields past the stack buffer", strings.Repeat("i", 100), strings.Repeat("o", 100), strings.Repeat("x", 100), "DELETED",
			"68eced61-bf61-832c-8519-8e64630555d7"},
	} {
		got := events.NewID(tc.instanceID, tc.objectType, tc.objectID, events.Type(tc.typ), t0)
		require.Equal(t, tc.want, got, tc.name)
	}
}

// TestNewIDAllocs checks that an id costs one allocation, its string, for
// fields of the usual sizes. Not parallel: AllocsPerRun counts the whole
// process.
func TestNewIDAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_ = events.NewID("bench", "orders", "727", events.Updated, t0)
	})
	require.Equal(t, 1.0, allocs)
}

func evt(objType, id string, typ events.Type, raw string) events.Event {
	e := events.Event{
		ID: events.NewID("123", objType, id, typ, t0), Type: typ, ObjectType: objType, ObjectID: id,
		ElementKey: "woocommercerest", HubKey: "ecommerce", Date: t0.In(time.FixedZone("PST", -8*3600)),
		PollDate: t0.Add(5 * time.Second),
	}
	if raw != "" {
		e.Raw = json.RawMessage(raw)
	}
	return e
}

func TestNotificationWireFormat(t *testing.T) {
	t.Parallel()
	b := events.Batch{
		Instance: events.Instance{ID: "123", Name: "shop", ElementKey: "woocommercerest", Tags: []string{"Docs"}},
		Source:   events.FromPolling,
		Events:   []events.Event{evt("customers", "42", events.Created, `{"id":42}`)},
	}
	notes := events.Notifications(b, 0)
	require.Len(t, notes, 1)
	data, err := json.Marshal(notes[0])
	require.NoError(t, err)
	require.JSONEq(t, `{"message":{
		"eventId":"`+b.Events[0].ID+`","elementKey":"woocommercerest","instanceId":"123",
		"instanceName":"shop","instanceTags":["Docs"],
		"events":[{"eventType":"CREATED","objectType":"customers","objectId":"42",
			"elementKey":"woocommercerest","hubKey":"ecommerce",
			"date":"2026-11-24T12:00:00Z","pollDate":"2026-11-24T12:00:05Z"}],
		"raw":{"customers":[{"id":42}]}}}`, string(data))

	// A webhook event has no pollDate, and the vendor body is the raw field;
	// tags are an array even when there are none.
	wb := events.Batch{Instance: events.Instance{ID: "1"}, Source: events.FromWebhook, Raw: json.RawMessage(`{"id":7}`),
		Events: []events.Event{{ID: "e", Type: events.Deleted, ObjectType: "customers", ObjectID: "7", Date: t0}}}
	data, err = json.Marshal(events.Notifications(wb, 0)[0])
	require.NoError(t, err)
	require.JSONEq(t, `{"message":{"eventId":"e","elementKey":"","instanceId":"1","instanceName":"","instanceTags":[],
		"events":[{"eventType":"DELETED","objectType":"customers","objectId":"7","elementKey":"","date":"2026-11-24T12:00:00Z"}],
		"raw":{"id":7}}}`, string(data))
}

func TestNotificationsBatching(t *testing.T) {
	t.Parallel()
	many := func(objType string, n int) []events.Event {
		out := make([]events.Event, n)
		for i := range out {
			out[i] = evt(objType, string(rune('a'+i%26))+string(rune('0'+i/26)), events.Updated, "")
		}
		return out
	}
	sizes := func(notes []events.Notification) []int {
		var s []int
		for _, n := range notes {
			s = append(s, len(n.Message.Events))
		}
		return s
	}
	tests := []struct {
		name   string
		source events.Origin
		evs    []events.Event
		max    int
		want   []int
	}{
		{"polling default 10", events.FromPolling, many("customers", 25), 0, []int{10, 10, 5}},
		{"webhook default 20", events.FromWebhook, many("customers", 25), 0, []int{20, 5}},
		{"configured", events.FromPolling, many("customers", 7), 3, []int{3, 3, 1}},
		{"one object type per notification", events.FromPolling, append(many("customers", 3), many("orders", 2)...), 0, []int{3, 2}},
		{"nothing", events.FromPolling, nil, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			notes := events.Notifications(events.Batch{Source: tt.source, Events: tt.evs}, tt.max)
			require.Equal(t, tt.want, sizes(notes))
			ids := map[string]bool{}
			for _, n := range notes {
				require.False(t, ids[n.Message.EventID], "notification ids are unique")
				ids[n.Message.EventID] = true
				for _, e := range n.Message.Events {
					require.Equal(t, n.Message.Events[0].ObjectType, e.ObjectType)
				}
			}
			again := events.Notifications(events.Batch{Source: tt.source, Events: tt.evs}, tt.max)
			for i := range notes {
				require.Equal(t, notes[i].Message.EventID, again[i].Message.EventID, "ids are deterministic")
			}
		})
	}
}

func TestSinkAdapters(t *testing.T) {
	t.Parallel()
	ch := make(chan events.Batch, 1)
	sink := events.ChanSink(ch)
	b := events.Batch{Instance: events.Instance{ID: "x"}}
	require.NoError(t, sink.Publish(context.Background(), b))
	require.Equal(t, "x", (<-ch).Instance.ID)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, events.ChanSink(make(chan events.Batch)).Publish(ctx, b), context.Canceled)

	var got []events.Batch
	f := events.SinkFunc(func(_ context.Context, b events.Batch) error { got = append(got, b); return nil })
	require.NoError(t, f.Publish(context.Background(), b))
	require.Len(t, got, 1)
}
