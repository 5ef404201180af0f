package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/notify"
)

// The decorator's steps one by one, on a memory outbox without a
// Notifier: what each call logs, and that an outbox error logs nothing.
func TestLoggingOutboxSteps(t *testing.T) {
	t.Parallel()
	const ep = "https://app.example.com/hook"
	delivery := func(id, orderKey, body string) notify.Delivery {
		return notify.Delivery{ID: id, Endpoint: ep, OrderKey: orderKey, Key: []byte("whsec_x"), Body: []byte(body), Events: 1}
	}
	at := func(s int) time.Time { return logT0.Add(time.Duration(s) * time.Second) }
	for _, tt := range []struct {
		name    string
		d       notify.Delivery
		steps   func(t *testing.T, o notify.Outbox)
		want    LoggedEvent
		wantErr bool // onError was called
	}{
		{
			name: "released before its first attempt: NEW",
			d:    delivery("a", "inst-1\x00contacts", `{"message":{"events":[{"eventType":"DELETED","objectType":"contacts"}]}}`),
			steps: func(t *testing.T, o notify.Outbox) {
				_, err := o.Claim(t.Context(), ep, at(1), time.Minute, 10)
				require.NoError(t, err)
				require.NoError(t, o.Release(t.Context(), "a", at(2)))
			},
			want: LoggedEvent{Instance: "inst-1", ObjectType: "contacts", EventTypes: []string{"DELETED"}, Status: StatusNew, Updated: at(2)},
		},
		{
			name: "released after a failed attempt: FAILED",
			d:    delivery("b", "inst-1\x00contacts", `{"message":{"events":[]}}`),
			steps: func(t *testing.T, o notify.Outbox) {
				_, err := o.Claim(t.Context(), ep, at(1), time.Minute, 10)
				require.NoError(t, err)
				require.NoError(t, o.Retry(t.Context(), "b", notify.Attempt{At: at(1), Status: 500, Latency: time.Second}, at(3)))
				_, err = o.Claim(t.Context(), ep, at(3), time.Minute, 10)
				require.NoError(t, err)
				require.NoError(t, o.Release(t.Context(), "b", at(4)))
			},
			want: LoggedEvent{Instance: "inst-1", ObjectType: "contacts", Status: StatusFailed, Updated: at(4),
				Attempts: []notify.Attempt{{At: at(1), Status: 500, Latency: time.Second}}},
		},
		{
			name: "dead-lettered without an attempt: at its claim",
			d:    delivery("c", "inst-2\x00", `{"message":{"events":[{"eventType":"UPDATED","objectType":"orders"}]}}`),
			steps: func(t *testing.T, o notify.Outbox) {
				_, err := o.Claim(t.Context(), ep, at(5), time.Minute, 10)
				require.NoError(t, err)
				require.NoError(t, o.DeadLetter(t.Context(), "c", notify.Attempt{}, "address refused"))
			},
			want: LoggedEvent{Instance: "inst-2", ObjectType: "orders", EventTypes: []string{"UPDATED"}, Status: StatusDead, Updated: at(5), Reason: "address refused"},
		},
		{
			name:    "a body that is not JSON is logged, and reported",
			d:       delivery("d", "inst-3\x00things", `not json`),
			steps:   func(*testing.T, notify.Outbox) {},
			want:    LoggedEvent{Instance: "inst-3", ObjectType: "things", Status: StatusNew, Updated: at(0)},
			wantErr: true,
		},
		{
			name: "an outbox error logs nothing",
			d:    delivery("e", "", `{}`),
			steps: func(t *testing.T, o notify.Outbox) {
				require.ErrorIs(t, o.Replay(t.Context(), "e", at(7)), notify.ErrNotFound, "not dead")
				require.ErrorIs(t, o.Ack(t.Context(), "none", notify.Attempt{At: at(7)}), notify.ErrNotFound)
			},
			want: LoggedEvent{Status: StatusNew, Updated: at(0)},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, errs := NewMemoryEventLog(MemoryEventLogConfig{}), &errorSink{}
			o := newLoggingOutbox(notify.NewMemoryOutbox(), log, tenantOf, errs.add)
			require.NoError(t, o.Enqueue(t.Context(), at(0), tt.d))
			tt.steps(t, o)
			got, err := log.Get(t.Context(), tenantOf(tt.want.Instance), tt.d.ID)
			require.NoError(t, err)
			require.Equal(t, tt.want.Instance, got.Instance)
			require.Equal(t, tt.want.ObjectType, got.ObjectType)
			require.Equal(t, tt.want.EventTypes, got.EventTypes)
			require.Equal(t, tt.want.Status, got.Status)
			require.True(t, tt.want.Updated.Equal(got.Updated), "Updated %s, want %s", got.Updated, tt.want.Updated)
			require.Equal(t, tt.want.Attempts, got.Attempts)
			require.Equal(t, tt.want.Reason, got.Reason)
			require.True(t, at(0).Equal(got.Created))
			require.Equal(t, tt.wantErr, len(errs.all()) > 0, "onError: %v", errs.all())
		})
	}
}
