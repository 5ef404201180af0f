package poller_test

// TestBadInput runs the poller's catalogue of hostile vendor answers: the
// files in testdata/bad (see its README.md) and, below, the cases whose
// inputs are too large or not UTF-8 for a file.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/internal/casefile"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
)

// badVendorToken is the api.token of the polled instance.
const badVendorToken = "vendor-token-secret"

var badSuite = &casefile.Suite{
	Settings: []string{"vendor.status", "max-page-bytes"},
	Files:    []string{"body", "headers", "resource.json", "pagination.json", "auth.json"},
	Is: map[string]error{
		"poller.ErrUnauthorized":  poller.ErrUnauthorized,
		"poller.ErrMalformedPage": poller.ErrMalformedPage,
		"poller.ErrVendor":        poller.ErrVendor,
		"poller.ErrConfig":        poller.ErrConfig,
	},
	Secrets: []string{badVendorToken},
}

// badInputsInGo are the cases whose inputs a file cannot hold.
func badInputsInGo() []*casefile.Case {
	const record = `{"id":1,"updated":"2026-11-24T11:00:00Z"}`
	return []*casefile.Case{{
		Name:  "bom",
		Why:   "a UTF-8 byte order mark before the page, as some .NET APIs send",
		Files: map[string][]byte{"body": []byte("\ufeff[" + record + "]")},
		Want:  casefile.Want{Is: []error{poller.ErrMalformedPage}, Contains: []string{"offset 0"}, Events: new(0)},
	}, {
		Name:  "deep-nesting",
		Why:   "a record holding 100,000 nested arrays: refused by depth, without recursion that deep",
		Files: map[string][]byte{"body": []byte(`[{"id":1,"x":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}]")},
		Want:  casefile.Want{Is: []error{poller.ErrMalformedPage}, Contains: []string{"nesting"}, Events: new(0)},
	}, {
		Name:  "invalid-utf8-id",
		Why:   "invalid UTF-8 inside a string id: decoded as encoding/json does, each bad byte U+FFFD",
		Files: map[string][]byte{"body": []byte(`[{"id":"ab` + "\xff\xfe" + `cd","updated":"2026-11-24T11:00:00Z"}]`)},
		Want:  casefile.Want{OK: true, Events: new(1), Value: new("ab\uFFFD\uFFFDcd")},
	}, {
		Name: "link-header-garbage",
		Why:  "a Link header of 100,000 unterminated entries: parsed in linear time, no next page",
		Files: map[string][]byte{
			"pagination.json": []byte(`{"style": "link"}`),
			"headers":         []byte("Link: " + strings.Repeat("<", 100_000)),
			"body":            []byte(`[{"id": 1, "updated": "2026-11-24T11:00:00Z"}]`),
		},
		Want: casefile.Want{OK: true, Events: new(1)},
	}, {
		Name:  "nul-between-records",
		Why:   "a NUL byte between two records",
		Files: map[string][]byte{"body": []byte("[{\"id\":1},\x00{\"id\":2}]")},
		Want:  casefile.Want{Is: []error{poller.ErrMalformedPage}, Events: new(0)},
	}, {
		Name: "oversized-page",
		Why:  "a page over MaxPageBytes (1 MiB here): an error, never a silently truncated page",
		Set:  map[string]string{"max-page-bytes": "1048576"},
		Files: map[string][]byte{"body": []byte("[" +
			strings.Repeat(`{"id":1,"pad":"`+strings.Repeat("x", 86)+`"},`, 20_000) + `{"id":2}]`)},
		Want: casefile.Want{Is: []error{poller.ErrMalformedPage}, Contains: []string{"too large"}, Events: new(0)},
	}, {
		Name:  "status-500",
		Why:   "a 500 with a stack trace in the body: an ErrVendor error that does not echo the body",
		Set:   map[string]string{"vendor.status": "500"},
		Files: map[string][]byte{"body": []byte("Fatal error: Uncaught Exception in /var/www/secret/path.php" + strings.Repeat("x", 100_000))},
		Want:  casefile.Want{Is: []error{poller.ErrVendor}, Contains: []string{"500"}, Events: new(0)},
	}, {
		Name: "ten-mb-header",
		Why:  "an 11 MB response header, over the HTTP client's 10 MB limit: an ErrVendor error, no goroutine left",
		Files: map[string][]byte{
			"headers": []byte("X-Padding: " + strings.Repeat("x", 11<<20)),
			"body":    []byte("[]"),
		},
		Want: casefile.Want{Is: []error{poller.ErrVendor}, Events: new(0)},
	}}
}

// badResource is the polled resource unless a case gives resource.json.
const badResource = `{"url": "/items", "idField": "id", "datesConfiguration": {
	"updatedDateField": "updated", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ssXXX",
	"createdDateField": "created", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ssXXX"}}`

// TestBadInput serves a case's body as the first page of a generic
// vendor's resource "items" (later pages are "[]"), every page with the
// case's vendor.status and response headers, and polls it once with the
// case's pagination.json and auth.json in the generic definition (the
// configuration holds api.token), through an HTTPSource that does not
// retry, reporting every record (FirstRun EmitAll). The error checked is
// the cycle's Result.Err; the value is the first event's object id.
func TestBadInput(t *testing.T) {
	badSuite.Run(t, badInputsInGo(), runBadVendor)
}

func runBadVendor(t *testing.T, c *casefile.Case) casefile.Outcome {
	status, err := strconv.Atoi(c.Setting("vendor.status", "200"))
	require.NoError(t, err)
	headers, err := c.Headers("headers")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		pages int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		pages++
		first := pages == 1
		mu.Unlock()
		for _, h := range headers {
			w.Header().Add(h.Name, h.Value)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		if first {
			_, _ = w.Write(c.Files["body"])
		} else {
			_, _ = io.WriteString(w, "[]")
		}
	}))
	defer srv.Close()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()

	def, ok := element.Default().Lookup("generic")
	require.True(t, ok)
	if p, ok := c.File("pagination.json"); ok {
		def.Pagination = element.Pagination{}
		require.NoError(t, json.Unmarshal(p, &def.Pagination), "pagination.json")
	}
	if a, ok := c.File("auth.json"); ok {
		def.Auth = element.Auth{}
		require.NoError(t, json.Unmarshal(a, &def.Auth), "auth.json")
	}
	resource := badResource
	if r, ok := c.File("resource.json"); ok {
		resource = string(r)
	}
	body := `{"id": "vendor-1", "name": "bad vendor", "element": {"key": "generic"}, "configuration": {
		"base.url": ` + strconv.Quote(srv.URL) + `, "api.token": ` + strconv.Quote(badVendorToken) + `,
		"event.notification.enabled": true, "event.vendor.type": "polling",
		"event.notification.callback.url": "https://app.example/callback",
		"event.poller.configuration": {"items": ` + resource + `}}}`
	inst, err := element.Parse([]byte(body))
	require.NoError(t, err, "the vendor instance must parse")
	require.NoError(t, inst.Validate(), "the vendor instance must validate")

	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	var maxPage int64
	if s := c.Setting("max-page-bytes", ""); s != "" {
		maxPage, err = strconv.ParseInt(s, 0, 64)
		require.NoError(t, err)
	}
	src, err := poller.NewHTTPSource(poller.HTTPConfig{
		Instance: inst, Definition: def, Transport: transport, Clock: clock,
		Retry: poller.RetryPolicy{Tries: 1}, MaxPageBytes: maxPage,
		Guard: netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}},
	})
	require.NoError(t, err)
	logs := &casefile.LogCapture{}
	sink := &eventstest.Recorder{}
	p, err := poller.New(poller.Config{
		Instance: inst, Definition: def, Source: src, Sink: sink, Clock: clock,
		Logger: logs.Logger(), FirstRun: poller.EmitAll,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	results := p.Poll(ctx)
	require.Len(t, results, 1)
	evs := sink.Events()
	out := casefile.Outcome{Err: results[0].Err, Logs: logs.Lines(), Events: len(evs)}
	if len(evs) > 0 {
		out.Value = new(evs[0].ObjectID)
	}
	return out
}
