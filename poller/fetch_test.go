package poller_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// scripted is a fake vendor answering from a script of replies; the last
// reply repeats.
type scripted struct {
	vendortest.RequestLog
	replies []reply
}

type reply struct {
	status int
	header http.Header
	body   string
}

func newScripted(t *testing.T, replies ...reply) (*scripted, *httptest.Server) {
	t.Helper()
	s := &scripted{replies: replies}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		s.Record(r)
		rep := s.replies[min(s.Len(), len(s.replies))-1]
		for k, v := range rep.header {
			rw.Header()[k] = v
		}
		rw.WriteHeader(rep.status)
		io.WriteString(rw, rep.body)
	}))
	t.Cleanup(srv.Close)
	return s, srv
}

var ok200 = reply{status: http.StatusOK, body: `[{"id":1}]`}

// scriptedSource is a query-auth source over a scripted server, so that
// errors can be checked for the key.
func scriptedSource(t *testing.T, srv *httptest.Server, cfg poller.HTTPConfig) *poller.HTTPSource {
	t.Helper()
	return customSource(t, `{"key": "scripted", "hub": "general", "baseUrl": "{base.url}",
		"auth": {"style": "query", "tokenKey": "api.key", "param": "key"}}`,
		map[string]string{"base.url": srv.URL, "api.key": "hunter2"}, cfg)
}

var itemsReq = poller.Request{Resource: "items", Config: element.Resource{URL: "/items?access_token=inline-secret", IDField: "id"}}

func TestHTTPSourcePlaceholders(t *testing.T) {
	t.Parallel()
	// The same instant written in another zone must give the same GMT text.
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)

	tests := []struct {
		name  string
		since time.Time
		want  string
	}{
		{"utc", since, "orderby=modified&order=asc&dates_are_gmt=true&modified_after=2026-11-24T12%3A00%3A00&page=1&per_page=100"},
		{"other zone", since.In(ny), "orderby=modified&order=asc&dates_are_gmt=true&modified_after=2026-11-24T12%3A00%3A00&page=1&per_page=100"},
		{"later", since.Add(90 * time.Minute), "orderby=modified&order=asc&dates_are_gmt=true&modified_after=2026-11-24T13%3A30%3A00&page=1&per_page=100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := newWooStore(t, 2)
			src := wooSource(t, store.URL(), poller.HTTPConfig{})
			_, err := src.Fetch(t.Context(), poller.Request{Resource: "orders", Config: wooResource(t, "orders", 0), Since: tt.since})
			require.NoError(t, err)
			r, _ := store.Log().Last()
			require.Equal(t, vendortest.WooAPIPath+"/orders", r.Path)
			require.Equal(t, tt.want, unsigned(r.RawQuery))
		})
	}
}

func TestHTTPSourceAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		auth      string
		conf      map[string]string
		check     func(t *testing.T, r vendortest.LoggedRequest)
		wantQuery string
		wantURL   string // Page.URL after the server's address
	}{
		{
			name: "basic",
			auth: `{"style": "basic", "usernameKey": "oauth.api.key", "passwordKey": "oauth.api.secret"}`,
			conf: map[string]string{"oauth.api.key": "user", "oauth.api.secret": "pw"},
			check: func(t *testing.T, r vendortest.LoggedRequest) {
				u, p, ok := (&http.Request{Header: r.Header}).BasicAuth()
				require.True(t, ok)
				require.Equal(t, "user:pw", u+":"+p)
			},
			wantURL: "/items",
		},
		{
			name: "basic without password",
			auth: `{"style": "basic", "usernameKey": "api.key"}`,
			conf: map[string]string{"api.key": "k"},
			check: func(t *testing.T, r vendortest.LoggedRequest) {
				u, p, ok := (&http.Request{Header: r.Header}).BasicAuth()
				require.True(t, ok)
				require.Equal(t, "k:", u+":"+p)
			},
			wantURL: "/items",
		},
		{
			name: "bearer",
			auth: `{"style": "bearer", "tokenKey": "oauth.access.token"}`,
			conf: map[string]string{"oauth.access.token": "tok"},
			check: func(t *testing.T, r vendortest.LoggedRequest) {
				require.Equal(t, "Bearer tok", r.Header.Get("Authorization"))
			},
			wantURL: "/items",
		},
		{
			name: "header with prefix",
			auth: `{"style": "header", "tokenKey": "api.token", "param": "X-Auth", "prefix": "Token "}`,
			conf: map[string]string{"api.token": "tok"},
			check: func(t *testing.T, r vendortest.LoggedRequest) {
				require.Equal(t, "Token tok", r.Header.Get("X-Auth"))
				require.Empty(t, r.Header.Get("Authorization"))
			},
			wantURL: "/items",
		},
		{
			name:      "query",
			auth:      `{"style": "query", "tokenKey": "api.key", "param": "apikey"}`,
			conf:      map[string]string{"api.key": "s3cr3t"},
			wantQuery: "apikey=s3cr3t",
			wantURL:   "/items?apikey=REDACTED",
		},
		{
			name: "none",
			auth: `{"style": "none"}`,
			check: func(t *testing.T, r vendortest.LoggedRequest) {
				require.Empty(t, r.Header.Get("Authorization"))
			},
			wantURL: "/items",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &vendortest.RequestLog{}
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rec.Record(r)
				io.WriteString(rw, `[]`)
			}))
			t.Cleanup(srv.Close)
			conf := map[string]string{"base.url": srv.URL}
			for k, v := range tt.conf {
				conf[k] = v
			}
			src := customSource(t, `{"key": "authapi", "hub": "general", "baseUrl": "{base.url}", "auth": `+tt.auth+`}`,
				conf, poller.HTTPConfig{})
			page, err := src.Fetch(t.Context(), poller.Request{Resource: "items", Config: element.Resource{URL: "/items", IDField: "id"}})
			require.NoError(t, err)
			r, _ := rec.Last()
			if tt.check != nil {
				tt.check(t, r)
			}
			require.Equal(t, tt.wantQuery, r.RawQuery)
			require.Equal(t, srv.URL+tt.wantURL, page.URL)
		})
	}
}

func TestHTTPSourceRedirectKeepsAuthHeaderHome(t *testing.T) {
	t.Parallel()
	elsewhere := &vendortest.RequestLog{}
	other := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		elsewhere.Record(r)
		io.WriteString(rw, `[]`)
	}))
	t.Cleanup(other.Close)
	home := httptest.NewServer(http.RedirectHandler(other.URL+"/moved", http.StatusFound))
	t.Cleanup(home.Close)

	src := customSource(t, `{"key": "moving", "hub": "general", "baseUrl": "{base.url}",
		"auth": {"style": "header", "tokenKey": "api.token", "param": "X-Auth"}}`,
		map[string]string{"base.url": home.URL, "api.token": "tok"}, poller.HTTPConfig{})
	_, err := src.Fetch(t.Context(), poller.Request{Resource: "items", Config: element.Resource{URL: "/items", IDField: "id"}})
	// A redirect off the origin is not followed at all, so the credentials
	// (and the request) never leave home.
	require.ErrorIs(t, err, poller.ErrVendor)
	require.NotContains(t, err.Error(), "tok")
	require.Zero(t, elsewhere.Len())
}

func TestHTTPSourceUnauthorized(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			vendor, srv := newScripted(t, reply{status: status, body: `{"code":"woocommerce_rest_cannot_view"}`})
			var (
				mu    sync.Mutex
				calls []string
			)
			src := scriptedSource(t, srv, poller.HTTPConfig{
				Clock: clockwork.NewFakeClock(), // a wait would hang: there must be none
				OnAuthError: func(resource string, err error) {
					mu.Lock()
					defer mu.Unlock()
					require.ErrorIs(t, err, poller.ErrUnauthorized)
					calls = append(calls, resource)
				},
			})
			_, err := src.Fetch(t.Context(), itemsReq)
			require.ErrorIs(t, err, poller.ErrUnauthorized)
			require.NotContains(t, err.Error(), "hunter2")
			require.Equal(t, []string{"items"}, calls)
			require.Equal(t, 1, vendor.Len())
		})
	}
}

func TestHTTPSourceClientError(t *testing.T) {
	t.Parallel()
	vendor, srv := newScripted(t, reply{status: http.StatusNotFound, body: `{"code":"rest_no_route"}`})
	src := scriptedSource(t, srv, poller.HTTPConfig{Clock: clockwork.NewFakeClock()})
	_, err := src.Fetch(t.Context(), itemsReq)
	require.ErrorIs(t, err, poller.ErrVendor)
	require.ErrorContains(t, err, "status 404")
	require.Equal(t, 1, vendor.Len())
}

func TestHTTPSourceMalformedPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		recordsPath string
		body        string
	}{
		{"truncated JSON", "", `[{"id":1},{"id":`},
		{"HTML error page", "", `<html><body>Bad gateway</body></html>`},
		{"records path missing", "Items", `{"NextPage":null}`},
		{"records not an array", "Items", `{"Items":{"id":1}}`},
		{"top level not an array", "", `{"id":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, srv := newScripted(t, reply{status: http.StatusOK, body: tt.body})
			src := scriptedSource(t, srv, poller.HTTPConfig{})
			req := itemsReq
			req.Config.RecordsPath = tt.recordsPath
			_, err := src.Fetch(t.Context(), req)
			require.ErrorIs(t, err, poller.ErrMalformedPage)
			require.ErrorContains(t, err, "items")
			require.ErrorContains(t, err, srv.URL+"/items?access_token=REDACTED&key=REDACTED")
			require.NotContains(t, err.Error(), "hunter2")
			// The offset's exact wording is splitRecords'; that one is given
			// is the contract.
			require.Regexp(t, `(?i)(offset|byte)\D{0,12}\d+`, err.Error())
		})
	}
}

func TestHTTPSourcePageTooLarge(t *testing.T) {
	t.Parallel()
	body := `[{"id":1},{"id":2}]`
	_, srv := newScripted(t, reply{status: http.StatusOK, body: body})

	src := scriptedSource(t, srv, poller.HTTPConfig{MaxPageBytes: int64(len(body))})
	page, err := src.Fetch(t.Context(), itemsReq)
	require.NoError(t, err, "a body of exactly MaxPageBytes is fine")
	require.Len(t, page.Records, 2)

	src = scriptedSource(t, srv, poller.HTTPConfig{MaxPageBytes: int64(len(body)) - 1})
	_, err = src.Fetch(t.Context(), itemsReq)
	require.ErrorIs(t, err, poller.ErrMalformedPage)
	require.ErrorContains(t, err, "page too large")
}
