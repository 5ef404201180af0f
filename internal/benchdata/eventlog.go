package benchdata

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/notify"
)

// The event log of [EventLogFile]: Events notifications of [Tenant],
// spread round-robin over EventInstances instances, one every 100 ms from
// [Start], one in ten FAILED, one in ten DEAD, the rest NOTIFIED, each
// with one attempt and a body of about 300 bytes.
const (
	Events         = 1_000_000
	EventInstances = 100
	// eventBatch is the notifications appended a transaction.
	eventBatch = 20_000
)

// EventID is notification i's id: 16 hex digits of a hash, as real ids
// (hashes of their events) are in no order.
func EventID(i int) string {
	h := fnv.New64a()
	_, _ = h.Write(strconv.AppendInt(nil, int64(i), 10))
	return fmt.Sprintf("%016x", h.Sum64())
}

// EventInstance is the id of notification i's instance: "inst-037" for
// i%100 == 37.
func EventInstance(i int) string { return fmt.Sprintf("inst-%03d", i%EventInstances) }

// Event is notification i.
func Event(i int) engine.LoggedEvent {
	created := Start.Add(time.Duration(i) * 100 * time.Millisecond)
	status, a := engine.StatusNotified, notify.Attempt{At: created.Add(time.Second), Status: 200, Latency: 80 * time.Millisecond}
	switch (i / EventInstances) % 10 { // one in ten of each instance
	case 0:
		status, a.Status, a.Error = engine.StatusFailed, 503, "HTTP 503"
	case 1:
		status, a.Status, a.Error = engine.StatusDead, 404, "HTTP 404"
	}
	body := fmt.Sprintf(`{"message":{"eventId":%q,"elementKey":"woocommercerest","instanceId":%q,"events":[{"eventType":"UPDATED","objectType":"customers","objectId":"%d","elementKey":"woocommercerest","hubKey":"ecommerce","date":%q,"pollDate":%q}]}}`,
		EventID(i), EventInstance(i), i, created.Format(time.RFC3339), created.Format(time.RFC3339))
	return engine.LoggedEvent{
		ID: EventID(i), Tenant: Tenant, Instance: EventInstance(i), ObjectType: "customers", EventTypes: []string{"UPDATED"},
		Events: 1, Body: []byte(body), Status: status, Created: created, Updated: a.At, Attempts: []notify.Attempt{a},
		Reason: map[bool]string{true: "HTTP 404: not retried"}[status == engine.StatusDead],
	}
}

// EventLogFile returns the path of a store file whose event log holds the
// Events notifications, appended eventBatch a transaction.
func EventLogFile(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("eventlog-%d-schema%d-v2.db", Events, boltstore.SchemaVersion)
	return file(tb, name, false, func(db *boltstore.DB) error {
		l := db.EventLog()
		ctx := context.Background()
		batch := make([]engine.LoggedEvent, 0, eventBatch)
		for i := range Events {
			batch = append(batch, Event(i))
			if len(batch) == eventBatch {
				if err := l.Append(ctx, batch...); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		return l.Append(ctx, batch...)
	})
}
