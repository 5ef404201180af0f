package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/webhook"
)

func TestHandlerSinkFailsThenRetry(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	body := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	f.sink.fail(errors.New("outbox full"))
	r := f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-503", body)
	require.Equal(t, http.StatusServiceUnavailable, r.status)
	require.Equal(t, "events could not be accepted; retry later", r.body)
	require.NotContains(t, r.body, "outbox full")
	require.Contains(t, f.logs.String(), "outbox full")

	// The delivery was not remembered: the vendor's retry goes through.
	f.sink.fail(nil)
	r = f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-503", body)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Len(t, f.sink.got(), 1)
}

func TestHandlerDuplicateDelivery(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{DedupeTTL: time.Hour}, nil)
	body := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	for range 3 {
		r := f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-1", body)
		require.Equal(t, http.StatusOK, r.status, r.body)
	}
	require.Len(t, f.sink.got(), 1, "one event for three deliveries of one id")

	// Another delivery id of the same change is another delivery.
	r := f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-2", body)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, f.sink.got(), 2)

	// The same delivery id on another instance is another delivery.
	r = f.woo(t, "woo-open", "customer.updated", "", "d-1", body)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, f.sink.got(), 3)

	// After the TTL the id is forgotten.
	f.clock.Advance(time.Hour)
	r = f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-1", body)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, f.sink.got(), 4)
}

func TestHandlerDuplicateEventWithoutDeliveryID(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	body := []byte(`{"objectType":"contacts","objectId":"c-1","eventType":"update","date":"2026-11-24T11:00:00Z"}`)
	for range 2 {
		r := f.do(t, http.MethodPost, "/events/generic/gen-1", body)
		require.Equal(t, http.StatusOK, r.status, r.body)
	}
	require.Len(t, f.sink.got(), 1, "the same event id is dropped")

	// In a batch, only the events not seen yet are published.
	batch := []byte(`[{"objectType":"contacts","objectId":"c-1","eventType":"update","date":"2026-11-24T11:00:00Z"},
		{"objectType":"contacts","objectId":"c-2","eventType":"update","date":"2026-11-24T11:00:00Z"}]`)
	r := f.do(t, http.MethodPost, "/events/generic/gen-1", batch)
	require.Equal(t, http.StatusOK, r.status, r.body)
	got := f.sink.got()
	require.Len(t, got, 2)
	require.Len(t, got[1].Events, 1)
	require.Equal(t, "c-2", got[1].Events[0].ObjectID)

	// Changes without a date are dated on arrival, so a repeat after the
	// clock moved is a new event.
	undated := []byte(`{"objectType":"contacts","objectId":"c-3","eventType":"update"}`)
	require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, "/events/generic/gen-1", undated).status)
	f.clock.Advance(time.Second)
	require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, "/events/generic/gen-1", undated).status)
	require.Len(t, f.sink.got(), 4)
}

func TestHandlerDedupeOff(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{DedupeTTL: -1}, nil)
	body := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	for range 2 {
		require.Equal(t, http.StatusOK, f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-1", body).status)
	}
	require.Len(t, f.sink.got(), 2)
}

// handlerFailingDeduper fails every call.
type handlerFailingDeduper struct{}

func (handlerFailingDeduper) Seen(context.Context, string) (bool, error) {
	return false, errors.New("deduper down")
}

func (handlerFailingDeduper) Mark(context.Context, string, time.Duration) error {
	return errors.New("deduper down")
}

func TestHandlerDeduperDown(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{Deduper: handlerFailingDeduper{}}, nil)
	body := []byte(`{"id":25}`)
	r := f.woo(t, "woo-1", "customer.deleted", handlerWooSecret, "d-1", body)
	require.Equal(t, http.StatusOK, r.status, "a duplicate is better than a lost event")
	require.Len(t, f.sink.got(), 1)
	require.Contains(t, f.logs.String(), "deduper down")
}

// TestHandlerMemoryDeduperKeys checks that the Handler finds in a shared
// memory deduper the keys marked through the Deduper interface, and marks
// the keys it is asked about there: the memory deduper's fast path, which
// hashes the key without building it, names the same key.
func TestHandlerMemoryDeduperKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		delivery string // "" for a vendor without delivery ids: event ids
	}{
		{"delivery id", "d-7"},
		{"event id", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := webhook.NewMemoryDeduper(clockwork.NewFakeClockAt(handlerT0))
			f := setupHandler(t, webhook.Config{Deduper: d, DedupeTTL: time.Hour}, nil)
			body := []byte(`{"id":31,"date_modified_gmt":"2026-11-24T11:59:30"}`)
			r := f.woo(t, "woo-1", "customer.updated", handlerWooSecret, tc.delivery, body)
			require.Equal(t, http.StatusOK, r.status, r.body)
			batches := f.sink.got()
			require.Len(t, batches, 1)
			key := webhook.DedupeKey("delivery", "woo-1", tc.delivery)
			if tc.delivery == "" {
				key = webhook.DedupeKey("event", batches[0].Events[0].ID, "")
			}
			seen, err := d.Seen(ctx, key)
			require.NoError(t, err)
			require.True(t, seen, "the Handler marked %q", key)

			// A key marked through the interface is one the Handler sees.
			other := []byte(`{"id":32,"date_modified_gmt":"2026-11-24T11:59:30"}`)
			if tc.delivery != "" {
				require.NoError(t, d.Mark(ctx, webhook.DedupeKey("delivery", "woo-1", "d-8"), time.Hour))
			} else {
				// The event id of the second change: the first's but for the
				// object id.
				e := batches[0].Events[0]
				require.Equal(t, "31", e.ObjectID)
				id := events.NewID(batches[0].Instance.ID, e.ObjectType, "32", e.Type, e.Date)
				require.NoError(t, d.Mark(ctx, webhook.DedupeKey("event", id, ""), time.Hour))
			}
			r = f.woo(t, "woo-1", "customer.updated", handlerWooSecret, strings.Replace(tc.delivery, "7", "8", 1), other)
			require.Equal(t, http.StatusOK, r.status, r.body)
			require.Len(t, f.sink.got(), 1, "the second change was taken as a repeat")
		})
	}
}
