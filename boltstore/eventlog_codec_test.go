package boltstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/notify"
)

// FuzzDecodeLogged feeds arbitrary bytes to the logged-notification and
// index decoders: they return an error or a value, never panic; what
// they accept encodes back to the same; the head decoder agrees with the
// full one.
func FuzzDecodeLogged(f *testing.F) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 123456789, time.UTC)
	full := engine.LoggedEvent{Tenant: "t", Instance: "i", ObjectType: "contacts", EventTypes: []string{"CREATED", "UPDATED"},
		Events: 2, Body: []byte(`{"message":{}}`), Status: engine.StatusDead, Created: t0, Updated: t0.Add(time.Second),
		Attempts: []notify.Attempt{{At: t0, Status: 503, Latency: time.Millisecond, Error: "HTTP 503", Response: []byte("busy")}, {At: t0}},
		Reason:   "gave up"}
	f.Add(encodeLogged(full))
	f.Add(encodeLogged(engine.LoggedEvent{}))
	f.Add(encodeLoggedIndex(full))
	f.Add([]byte{})
	f.Add([]byte{loggedFormat, 1, 't', 0, 2, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, err := decodeLogged("id", raw); err == nil {
			again, err := decodeLogged("id", encodeLogged(got))
			require.NoError(t, err)
			require.Equal(t, got, again)
			tenant, instance, created, err := decodeLoggedHead(raw)
			require.NoError(t, err)
			require.Equal(t, got.Tenant, tenant)
			require.Equal(t, got.Instance, instance)
			require.True(t, got.Created.Equal(created))
		}
		var e engine.LoggedEvent
		if err := decodeLoggedIndex(raw, &e); err == nil {
			var again engine.LoggedEvent
			require.NoError(t, decodeLoggedIndex(encodeLoggedIndex(e), &again))
			require.Equal(t, e, again)
			// List's in-place matcher agrees with the decoder and Match.
			for _, f := range []engine.EventFilter{
				{}, {Statuses: []engine.EventStatus{e.Status}}, {Statuses: []engine.EventStatus{e.Status + "x", e.Status}},
				{Statuses: []engine.EventStatus{e.Status + "x"}}, {ObjectType: e.ObjectType}, {ObjectType: e.ObjectType + "x"},
				{EventType: "CREATED"}, {EventType: "UPDATED", ObjectType: e.ObjectType},
			} {
				match, err := matchLoggedIndex(raw, f)
				require.NoError(t, err)
				require.Equal(t, f.Match(e), match, "%+v", f)
			}
		} else {
			_, err := matchLoggedIndex(raw, engine.EventFilter{})
			require.Error(t, err, "the matcher refuses what the decoder refuses")
		}
	})
}

// successor bounds a prefix's keys from above: every key with the prefix
// sorts before it, and it is nil only for a prefix of 0xff bytes.
func TestSuccessor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ prefix, want []byte }{
		{[]byte{'t', 1, 'a'}, []byte{'t', 1, 'b'}},
		{[]byte{'t', 1, 0xff}, []byte{'t', 2}},
		{[]byte{'t', 0xff, 0xff}, []byte{'u'}},
		{[]byte{0xff, 0xff}, nil},
	} {
		require.Equal(t, tt.want, successor(tt.prefix), "%x", tt.prefix)
	}
}
