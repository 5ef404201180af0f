package boltstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
)

// FuzzDecodeInstance feeds arbitrary bytes to the instance decoder: it
// must return an error or a record, never panic; what it accepts encodes
// back to a record that decodes the same; its errors never quote the
// bytes (the body holds secrets); and List's tenant check agrees with it.
func FuzzDecodeInstance(f *testing.F) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 123456789, time.UTC)
	f.Add(encodeInstance(engine.Record{Tenant: "t", Version: 1, Body: []byte(`{"secret":"s"}`), ElementKey: "concur",
		VendorType: "polling", Tags: []string{"a", ""}, Enabled: true, Created: t0, Updated: t0}))
	f.Add(encodeInstance(engine.Record{Tags: []string{}}))
	f.Add(encodeInstance(engine.Record{}))
	f.Add([]byte{})
	f.Add([]byte{instanceFormat, 1, 't', 2, 0, 0, 1, 200})
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := decodeInstance("id", raw)
		if err != nil {
			if len(raw) > 4 {
				require.NotContains(t, err.Error(), string(raw[1:]))
			}
			return
		}
		require.False(t, otherTenant(raw, got.Tenant))
		require.True(t, otherTenant(raw, got.Tenant+"x"))
		again, err := decodeInstance("id", encodeInstance(got))
		require.NoError(t, err)
		require.True(t, got.Created.Equal(again.Created))
		require.True(t, got.Updated.Equal(again.Updated))
		got.Created, again.Created, got.Updated, again.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		got.Body, again.Body = ownBody(got).Body, ownBody(again).Body
		require.Equal(t, got, again)
	})
}

func TestInstanceEncodingKeepsNilAndEmptyTags(t *testing.T) {
	t.Parallel()
	for _, tags := range [][]string{nil, {}, {""}, {"a", "b"}} {
		got, err := decodeInstance("id", encodeInstance(engine.Record{Tenant: "t", Tags: tags}))
		require.NoError(t, err)
		require.Equal(t, tags, got.Tags)
	}
	_, err := decodeInstance("id", []byte{instanceFormat + 1})
	require.ErrorContains(t, err, "instance format 2, want 1")
}
