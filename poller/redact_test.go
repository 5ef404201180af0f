package poller_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
)

// TestHTTPSourceErrorRedactsURL: a resource URL with credentials written
// into its query by hand (pass=, pwd=, ...) is quoted in errors without
// them.
func TestHTTPSourceErrorRedactsURL(t *testing.T) {
	t.Parallel()
	srv, _ := guardedVendor(t, "tcp4", "", nil)
	srv.Config.Handler = http.NotFoundHandler()
	src := scriptedSource(t, srv, poller.HTTPConfig{Retry: poller.RetryPolicy{Tries: 1}})
	req := poller.Request{Resource: "items", Config: element.Resource{IDField: "id",
		URL: "/items?user=me&pass=TOPSECRET3&PWD=TOPSECRET4&Session=TOPSECRET5&p%61ssword=TOPSECRET6&TOPSECRET7"}}
	_, err := src.Fetch(t.Context(), req)
	require.ErrorIs(t, err, poller.ErrVendor)
	require.ErrorContains(t, err, "/items?user=me&pass=REDACTED&PWD=REDACTED&Session=REDACTED&p%61ssword=REDACTED&REDACTED")
	for _, s := range []string{"TOPSECRET3", "TOPSECRET4", "TOPSECRET5", "TOPSECRET6", "TOPSECRET7", "hunter2"} {
		require.NotContains(t, err.Error(), s)
	}
}
