package events_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
)

func TestStatusNotificationWireFormat(t *testing.T) {
	t.Parallel()
	b := events.Batch{
		Instance: events.Instance{ID: "42", Name: "expenses", ElementKey: "concur"},
		Source:   events.FromPolling,
		// Events and Raw are ignored in a status batch.
		Events: []events.Event{evt("reports", "1", events.Created, `{"ID":"1"}`)},
		Raw:    json.RawMessage(`{"x":1}`),
		Status: &events.Status{
			State: events.NeedsReauthorization, Date: t0.In(time.FixedZone("CET", 3600)),
			Reason: "the vendor refused the refresh token (invalid_grant)", ConfigKey: "oauth.refresh.token",
		},
	}
	notes := events.Notifications(b, 0)
	require.Len(t, notes, 1)
	data, err := json.Marshal(notes[0])
	require.NoError(t, err)
	require.JSONEq(t, `{"message":{"eventId":"`+notes[0].Message.EventID+`","elementKey":"concur","instanceId":"42",
		"instanceName":"expenses","instanceTags":[],"events":[],
		"status":{"state":"NEEDS_REAUTHORIZATION","date":"2026-11-24T12:00:00Z",
			"reason":"the vendor refused the refresh token (invalid_grant)","configKey":"oauth.refresh.token"}}}`, string(data))
	require.Equal(t, t0, b.Status.Date.UTC(), "the batch's status is not changed")
	require.Equal(t, "CET", b.Status.Date.Location().String(), "the batch's status is not changed")

	var back events.Notification
	require.NoError(t, json.Unmarshal(data, &back))
	require.NotNil(t, back.Message.Status)
	require.Equal(t, events.NeedsReauthorization, back.Message.Status.State)
	require.Empty(t, back.Message.Events)
}

func TestStatusNotificationID(t *testing.T) {
	t.Parallel()
	id := func(inst string, s events.Status) string {
		return events.Notifications(events.Batch{Instance: events.Instance{ID: inst}, Status: &s}, 0)[0].Message.EventID
	}
	base := events.Status{State: events.DeletesHeld, Date: t0, ObjectType: "customers", Count: 30, Reason: "held"}
	first := id("i", base)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, first)
	same := base
	same.Date = t0.In(time.FixedZone("X", 7200))
	same.Reason, same.Count = "worded otherwise", 31
	require.Equal(t, first, id("i", same), "one observation published twice is one notification")

	others := map[string]events.Status{}
	for name, change := range map[string]func(*events.Status){
		"state":  func(s *events.Status) { s.State = events.Recovered },
		"cause":  func(s *events.Status) { s.State, s.Cause = events.Recovered, events.DeletesHeld },
		"object": func(s *events.Status) { s.ObjectType = "orders" },
		"key":    func(s *events.Status) { s.ConfigKey = "k" },
		"date":   func(s *events.Status) { s.Date = t0.Add(time.Millisecond) },
	} {
		s := base
		change(&s)
		others[name] = s
	}
	seen := map[string]string{first: "base", id("j", base): "instance"}
	require.Len(t, seen, 2, "the instance is part of the id")
	for name, s := range others {
		got := id("i", s)
		require.NotContains(t, seen, got, "%s collides with %s", name, seen[got])
		seen[got] = name
	}
}
