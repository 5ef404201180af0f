package vendortest_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/vendortest"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()
	var log vendortest.RequestLog
	_, ok := log.Last()
	require.False(t, ok)
	require.Empty(t, log.Since(0))
	require.Empty(t, log.Since(3))

	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { log.Record(r) }))
	t.Cleanup(srv.Close)
	for _, q := range []string{"a=1", "", "b=%3A2&a=1"} {
		resp, err := http.Get(srv.URL + "/items?" + q)
		require.NoError(t, err)
		resp.Body.Close()
	}
	require.Equal(t, 3, log.Len())
	var queries []string
	for _, r := range log.Since(0) {
		queries = append(queries, r.RawQuery)
	}
	require.Equal(t, []string{"a=1", "", "b=%3A2&a=1"}, queries, "queries as sent")
	last, ok := log.Last()
	require.True(t, ok)
	require.Equal(t, "/items", last.Path)
	require.Equal(t, "b=%3A2&a=1", last.RawQuery)
	require.Equal(t, ":2", last.Query.Get("b"))
	require.Equal(t, http.MethodGet, last.Method)
	require.NotEmpty(t, last.Header.Get("User-Agent"))
	require.True(t, last.At.IsZero(), "Record knows no clock")
	require.Len(t, log.Since(1), 2)
	require.Empty(t, log.Since(1)[0].RawQuery)
	require.Len(t, log.Since(-1), 3)
	require.Empty(t, log.Since(3))
}

func TestRequestLogConcurrent(t *testing.T) {
	t.Parallel()
	var log vendortest.RequestLog
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			log.Record(httptest.NewRequest(http.MethodGet, "/x", nil))
			_ = log.Since(0)
			_, _ = log.Last()
		})
	}
	wg.Wait()
	require.Equal(t, 20, log.Len())
}
