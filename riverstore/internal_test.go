package riverstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestIntervalSchedule(t *testing.T) {
	t.Parallel()
	iv := int64(15 * time.Minute)
	s := intervalSchedule{interval: iv, offset: iv/2 + int64(time.Minute)}
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	require.Equal(t, start.Add(8*time.Minute+30*time.Second), s.Next(start))
	require.Equal(t, start.Add(8*time.Minute+30*time.Second), s.Next(start.Add(8*time.Minute)))
	require.Equal(t, start.Add(23*time.Minute+30*time.Second), s.Next(start.Add(8*time.Minute+30*time.Second)), "due now: the next one")
	at := s.Next(start)
	for range 96 {
		next := s.Next(at)
		require.Equal(t, at.UnixNano()/iv+1, next.UnixNano()/iv, "one run per interval, each in the next interval")
		require.Equal(t, 8*time.Minute+30*time.Second, next.Sub(next.Truncate(15*time.Minute)))
		at = next
	}
}

func TestMissingEncoding(t *testing.T) {
	t.Parallel()
	for _, m := range []map[string]int{{}, {"a": 1}, {"": 0, "nul\x00": -3, "long": 1 << 40}} {
		got, err := decodeMissing(encodeMissing(m))
		require.NoError(t, err)
		require.Equal(t, m, got)
	}
	got, err := decodeMissing(nil)
	require.NoError(t, err)
	require.Empty(t, got)
	require.Nil(t, encodeMissing(nil))
	for _, bad := range [][]byte{{}, {1}, {1, 5, 'a'}, {1, 1, 'a'}, {1, 1, 'a', 2, 9}, {0xff}} {
		_, err := decodeMissing(bad)
		require.ErrorIs(t, err, ErrCorrupt, "%x", bad)
	}
}

func FuzzDecodeMissing(f *testing.F) {
	f.Add(encodeMissing(map[string]int{"a": 1, "b": 2}))
	f.Add([]byte{0})
	f.Add([]byte{1, 200, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMissing(b)
		if err != nil {
			return
		}
		again, err := decodeMissing(encodeMissing(m))
		if err != nil || len(again) != len(m) {
			t.Fatalf("%x decodes to %v, which does not round-trip: %v", b, m, err)
		}
	})
}

func TestHasTurn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		metadata string
		want     bool
	}{
		{string(turnMeta), true},
		{`{"a": 1, "elementevents_turn": true}`, true}, // as PostgreSQL's jsonb prints it
		{`{}`, false},
		{`{"elementevents_turn": false}`, false},
		{`{"elementevents_turn": "true"}`, false},
		{``, false},
		{`not json`, false},
	} {
		require.Equal(t, tc.want, hasTurn([]byte(tc.metadata)), tc.metadata)
	}
}
