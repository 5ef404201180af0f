package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMetrics scrapes /metrics on its own listener while the walkthrough
// instance polls the demo store: the instance gauge and the vendor
// requests' durations are there in Prometheus text, the public listener
// has no /metrics, and no instance id shows.
func TestMetrics(t *testing.T) {
	r := newRig(t, "-metrics-listen", "127.0.0.1:0")
	require.NotNil(t, r.p.metrics)
	scrape := func() string {
		res, err := http.Get(baseURL(r.p.metrics.ln) + "/metrics")
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return string(b)
	}
	var inst map[string]any
	require.Equal(t, http.StatusCreated, r.call("POST", apiPrefix+"/instances", r.walkthroughInstance(), &inst))
	id := inst["id"].(string)
	r.until(func() bool { return strings.Contains(scrape(), "elementevents_poll_cycle_duration_seconds_count") }, "no poll cycle in the metrics")

	text := scrape()
	require.Contains(t, text, `elementevents_instances{elementevents_instance_state="polling"`)
	require.Contains(t, text, "# TYPE http_client_request_duration_seconds histogram")
	require.Contains(t, text, `elementevents_operation="poll"`)
	require.Contains(t, text, `elementevents_resource="customers"`)
	require.NotContains(t, text, id, "no instance id in a metric")
	require.Equal(t, http.StatusNotFound, r.call("GET", "/metrics", "", nil), "not on the public listener")
}
