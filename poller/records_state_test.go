package poller

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/numid"
)

func TestRecords(t *testing.T) {
	t.Parallel()
	ids := []string{"0", "42", "18446744073709551615", "18446744073709551616", "007", "-1", "1e3", "abc", "", " 1"}
	var r Records
	for i, id := range ids {
		r.Set(id, Record{Updated: int64(i), Hash: uint64(i)})
	}
	require.Equal(t, len(ids), r.Len())
	got := maps.Collect(r.All())
	for i, id := range ids {
		require.Equal(t, Record{Updated: int64(i), Hash: uint64(i)}, got[id], "id %q reads back as written", id)
		rec, ok := r.Get(id)
		require.True(t, ok)
		require.Equal(t, int64(i), rec.Updated)
	}
	c := r.Clone()
	r.Delete("42")
	r.Delete("abc")
	_, ok := r.Get("42")
	require.False(t, ok)
	require.Equal(t, len(ids)-2, r.Len())
	require.Equal(t, len(ids), c.Len(), "a clone shares nothing")
	for _, id := range []string{"0", "42", "18446744073709551615"} {
		_, numeric := numid.Parse(id)
		require.True(t, numeric, id)
	}
	for _, id := range []string{"007", "18446744073709551616", "-1", "1e3", "", " 1"} {
		_, numeric := numid.Parse(id)
		require.False(t, numeric, id)
	}
}
