package poller

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/netguard"
)

// TestHTTPSourceDialsThroughGuard: the source's own client refuses a
// loopback address at dial time, where a name that resolves to it is
// caught, not only in CheckURL.
func TestHTTPSourceDialsThroughGuard(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	def := &element.Definition{Key: "named", Hub: "general", BaseURL: "{base.url}"}
	for name, cfg := range map[string]HTTPConfig{
		"default":   {},
		"Transport": {Transport: &http.Transport{}},
		"Client":    {Client: &http.Client{}},
	} {
		inst := &element.Instance{ID: "7", Element: element.Element{Key: def.Key}}
		inst.Configuration.Set("base.url", "https://vendor.example")
		cfg.Instance, cfg.Definition = inst, def
		src, err := NewHTTPSource(cfg)
		require.NoError(t, err, name)
		_, err = src.client.Get(srv.URL)
		require.ErrorIs(t, err, netguard.ErrRefused, name)
	}
	require.Zero(t, hits.Load())
}
