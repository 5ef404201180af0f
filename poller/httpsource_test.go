package poller_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// The fixtures below fake four vendor APIs, one per pagination style:
// vendortest's WooCommerce (page) and Concur (next-url), and two of their
// own from the shapes their documentation shows (link, offset).

const (
	wooKey    = "ck_4f1a9e0c2b7d"
	wooSecret = "cs_9b3e7a51d0c8"
)

// since is the poll window start used throughout: placeholders expand to
// 2026-11-24T12:00:00 in GMT.
var since = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// newWooStore serves a WooCommerce store whose clock says 12:05 on the
// day of since, with customers and orders 1..n, the orders modified after
// since in the order of their ids.
func newWooStore(t *testing.T, n int) *vendortest.WooCommerce {
	t.Helper()
	store := vendortest.ServeWooCommerce(t, vendortest.WooConfig{
		Key: wooKey, Secret: wooSecret, Clock: clockwork.NewFakeClockAt(since.Add(5 * time.Minute)),
	})
	for id := 1; id <= n; id++ {
		at := since.Add(time.Duration(id) * time.Minute)
		store.PutCustomer(vendortest.Customer{ID: id, Email: fmt.Sprintf("customer%d@example.com", id),
			FirstName: "John", LastName: "Doe", Created: at.AddDate(0, -8, 0), Modified: at})
		store.PutOrder(vendortest.Order{ID: id, Created: at, Modified: at})
	}
	return store
}

// wooSource returns a source for a WooCommerce instance of the store.
func wooSource(t *testing.T, storeURL string, cfg poller.HTTPConfig) *poller.HTTPSource {
	t.Helper()
	inst, err := element.Parse([]byte(`{"element": {"key": "woocommercerest"}, "name": "shop",
		"configuration": {"store.url": "` + storeURL + `/", "oauth.api.key": "` + wooKey + `",
		"oauth.api.secret": "` + wooSecret + `", "event.vendor.type": "polling",
		"event.notification.enabled": "true", "event.notification.callback.url": "https://cb.example/hook",
		"event.objects": "customers,orders"}}`))
	require.NoError(t, err)
	cfg.Instance = inst
	cfg.Guard = allowServers(t, cfg.Guard, storeURL)
	src, err := poller.NewHTTPSource(cfg)
	require.NoError(t, err)
	return src
}

// wooResource is the built-in definition's resource name, with pageSize.
func wooResource(t *testing.T, name string, pageSize int) element.Resource {
	t.Helper()
	def, ok := element.Default().Lookup("woocommercerest")
	require.True(t, ok)
	res := def.Resources[name]
	res.PageSize = pageSize
	return res
}

const concurToken = "eyJ0eXAiOiJKV1Qi.concur.token"

// newConcurAPI serves a Concur with reports RPT0000 to RPT<n-1>, modified
// after since.
func newConcurAPI(t *testing.T, n int) *vendortest.Concur {
	t.Helper()
	api := vendortest.ServeConcur(t, vendortest.ConcurConfig{Token: concurToken})
	for i := range n {
		api.PutReport(vendortest.Report{ID: fmt.Sprintf("RPT%04d", i), Name: fmt.Sprintf("Trip %d", i), Total: 12.5,
			Created: since.Add(-96 * time.Hour).Add(time.Duration(i) * time.Minute), Modified: since.Add(30 * time.Minute)})
	}
	return api
}

func concurSource(t *testing.T, baseURL string, cfg poller.HTTPConfig) *poller.HTTPSource {
	t.Helper()
	inst, err := element.Parse([]byte(`{"element": {"key": "concur"}, "name": "expenses",
		"configuration": {"concur.base.url": "` + baseURL + `", "oauth.access.token": "` + concurToken + `",
		"event.vendor.type": "polling"}}`))
	require.NoError(t, err)
	cfg.Instance = inst
	cfg.Guard = allowServers(t, cfg.Guard, baseURL)
	src, err := poller.NewHTTPSource(cfg)
	require.NoError(t, err)
	return src
}

func concurResource(t *testing.T, pageSize int) element.Resource {
	t.Helper()
	def, ok := element.Default().Lookup("concur")
	require.True(t, ok)
	res := def.Resources["reports"]
	res.PageSize = pageSize
	return res
}

// customSource builds a source for a definition given as JSON, with the
// configuration given as key/value pairs.
func customSource(t *testing.T, defJSON string, conf map[string]string, cfg poller.HTTPConfig) *poller.HTTPSource {
	t.Helper()
	def, err := element.ParseDefinition([]byte(defJSON))
	require.NoError(t, err)
	inst := &element.Instance{Element: element.Element{Key: def.Key}}
	for k, v := range conf {
		inst.Configuration.Set(k, v)
	}
	cfg.Instance, cfg.Definition = inst, def
	if base, ok := conf["base.url"]; ok {
		cfg.Guard = allowServers(t, cfg.Guard, base)
	}
	src, err := poller.NewHTTPSource(cfg)
	require.NoError(t, err)
	return src
}

const linkDef = `{"key": "linkapi", "hub": "general", "baseUrl": "{base.url}",
	"auth": {"style": "header", "tokenKey": "api.token", "param": "X-Api-Key", "prefix": "Token "},
	"pagination": {"style": "link", "sizeParam": "per_page"}, "defaultPageSize": 2}`

// newLinkAPI serves /items in pages of two behind X-Api-Key, linking pages
// in every way RFC 8288 allows: relative and absolute targets, quoted and
// bare rel, several rel values, several links and several fields.
func newLinkAPI(t *testing.T) (*vendortest.RequestLog, *httptest.Server) {
	t.Helper()
	rec := &vendortest.RequestLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec.Record(r)
		if r.Header.Get("X-Api-Key") != "Token lnk-secret" {
			rw.WriteHeader(http.StatusForbidden)
			return
		}
		switch r.URL.Query().Get("cursor") {
		case "":
			rw.Header().Add("Link", `<http://`+r.Host+`/items?per_page=2>; rel="first", </items?cursor=c2&per_page=2>; title="a, b; c"; rel="next last"`)
			io.WriteString(rw, `[{"id":1},{"id":2}]`)
		case "c2":
			rw.Header().Add("Link", `<http://`+r.Host+`/items?per_page=2>; rel=first`)
			rw.Header().Add("Link", `<http://`+r.Host+`/items?cursor=c3&per_page=2>; REL=NEXT`)
			io.WriteString(rw, `[{"id":3},{"id":4}]`)
		default:
			rw.Header().Add("Link", `<http://`+r.Host+`/items?per_page=2>; rel="first"`)
			io.WriteString(rw, `[{"id":5}]`)
		}
	}))
	t.Cleanup(srv.Close)
	return rec, srv
}

const offsetDef = `{"key": "offsetapi", "hub": "general", "baseUrl": "{base.url}/v1",
	"auth": {"style": "query", "tokenKey": "api.key", "param": "api_key"},
	"pagination": {"style": "offset", "sizeParam": "limit", "totalField": "meta.total"},
	"recordsPath": "data", "defaultPageSize": 2, "maxPageSize": 50}`

const offsetKey = "off-7d3c-secret"

// newOffsetAPI serves /v1/things?offset=&limit= with {"data":[...],
// "meta":{"total":n}}, behind an api_key query parameter; without total
// when total is false.
func newOffsetAPI(t *testing.T, records int, total bool) (*vendortest.RequestLog, *httptest.Server) {
	t.Helper()
	rec := &vendortest.RequestLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec.Record(r)
		q := r.URL.Query()
		if q.Get("api_key") != offsetKey {
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		offset, limit := atoiOr(q.Get("offset"), 0), atoiOr(q.Get("limit"), 10)
		var recs []string
		for i := offset; i < min(offset+limit, records); i++ {
			recs = append(recs, fmt.Sprintf(`{"id":%d}`, i+1))
		}
		meta := "{}"
		if total {
			meta = fmt.Sprintf(`{"total":%d}`, records)
		}
		fmt.Fprintf(rw, `{"data":[%s],"meta":%s}`, strings.Join(recs, ","), meta)
	}))
	t.Cleanup(srv.Close)
	return rec, srv
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// fetchAll follows a resource to its last page and returns the record
// ids in order.
func fetchAll(t *testing.T, src poller.Source, req poller.Request) []string {
	t.Helper()
	ids, err := collect(t.Context(), src, req)
	require.NoError(t, err)
	return ids
}

// collect is fetchAll for goroutines, which must not call t.FailNow.
func collect(ctx context.Context, src poller.Source, req poller.Request) ([]string, error) {
	var ids []string
	for range 20 {
		page, err := src.Fetch(ctx, req)
		if err != nil {
			return ids, err
		}
		for _, r := range page.Records {
			var rec struct {
				ID  json.RawMessage `json:"id"`
				CID string          `json:"ID"`
			}
			if err := json.Unmarshal(r, &rec); err != nil {
				return ids, err
			}
			if rec.CID != "" {
				ids = append(ids, rec.CID)
			} else {
				ids = append(ids, string(rec.ID))
			}
		}
		if page.Next == "" {
			return ids, nil
		}
		req.Token = page.Next
	}
	return ids, errors.New("no last page after 20 pages")
}

func seq(from, to int) []string {
	var s []string
	for i := from; i <= to; i++ {
		s = append(s, strconv.Itoa(i))
	}
	return s
}

func TestHTTPSourcePagination(t *testing.T) {
	t.Parallel()
	type fixture struct {
		src         poller.Source
		req         poller.Request
		rec         *vendortest.RequestLog
		wantIDs     []string
		wantQueries []string
	}
	tests := []struct {
		name  string
		setup func(t *testing.T) fixture
	}{
		{"page with X-WP-TotalPages", func(t *testing.T) fixture {
			store := newWooStore(t, 7)
			return fixture{
				src:     wooSource(t, store.URL(), poller.HTTPConfig{}),
				req:     poller.Request{Resource: "customers", Config: wooResource(t, "customers", 3)},
				rec:     store.Log(),
				wantIDs: seq(1, 7),
				wantQueries: []string{
					"orderby=id&order=asc&page=1&per_page=3",
					"orderby=id&order=asc&page=2&per_page=3",
					"orderby=id&order=asc&page=3&per_page=3",
				},
			}
		}},
		{"page without totals stops on a short page", func(t *testing.T) fixture {
			store := newWooStore(t, 5)
			store.Inject(vendortest.Fault{NoTotals: true, Times: -1})
			return fixture{
				src:     wooSource(t, store.URL(), poller.HTTPConfig{}),
				req:     poller.Request{Resource: "customers", Config: wooResource(t, "customers", 3)},
				rec:     store.Log(),
				wantIDs: seq(1, 5),
				wantQueries: []string{
					"orderby=id&order=asc&page=1&per_page=3",
					"orderby=id&order=asc&page=2&per_page=3",
				},
			}
		}},
		{"page without totals stops on an empty page", func(t *testing.T) fixture {
			store := newWooStore(t, 4)
			store.Inject(vendortest.Fault{NoTotals: true, Times: -1})
			return fixture{
				src:     wooSource(t, store.URL(), poller.HTTPConfig{}),
				req:     poller.Request{Resource: "customers", Config: wooResource(t, "customers", 2)},
				rec:     store.Log(),
				wantIDs: seq(1, 4),
				wantQueries: []string{
					"orderby=id&order=asc&page=1&per_page=2",
					"orderby=id&order=asc&page=2&per_page=2",
					"orderby=id&order=asc&page=3&per_page=2",
				},
			}
		}},
		{"next-url followed exactly", func(t *testing.T) fixture {
			api := newConcurAPI(t, 5)
			return fixture{
				src:     concurSource(t, api.URL(), poller.HTTPConfig{}),
				req:     poller.Request{Resource: "reports", Config: concurResource(t, 2), Since: since},
				rec:     api.Log(),
				wantIDs: []string{"RPT0000", "RPT0001", "RPT0002", "RPT0003", "RPT0004"},
				wantQueries: []string{
					"user=ALL&modifiedDateAfter=2026-11-24T12%3A00%3A00&limit=2",
					"offset=gWqMg&limit=2&user=ALL&modifiedDateAfter=2026-11-24T12%3A00%3A00",
					"offset=gWqNA&limit=2&user=ALL&modifiedDateAfter=2026-11-24T12%3A00%3A00",
				},
			}
		}},
		{"link", func(t *testing.T) fixture {
			rec, srv := newLinkAPI(t)
			return fixture{
				src: customSource(t, linkDef, map[string]string{"base.url": srv.URL, "api.token": "lnk-secret"},
					poller.HTTPConfig{}),
				req:     poller.Request{Resource: "items", Config: element.Resource{URL: "/items", IDField: "id"}},
				rec:     rec,
				wantIDs: seq(1, 5),
				wantQueries: []string{
					"per_page=2",
					"cursor=c2&per_page=2",
					"cursor=c3&per_page=2",
				},
			}
		}},
		{"offset with total field", func(t *testing.T) fixture {
			rec, srv := newOffsetAPI(t, 4, true)
			return fixture{
				src: customSource(t, offsetDef, map[string]string{"base.url": srv.URL, "api.key": offsetKey},
					poller.HTTPConfig{}),
				req:     poller.Request{Resource: "things", Config: element.Resource{URL: "/things", IDField: "id"}},
				rec:     rec,
				wantIDs: seq(1, 4),
				wantQueries: []string{
					"offset=0&limit=2&api_key=" + offsetKey,
					"offset=2&limit=2&api_key=" + offsetKey,
				},
			}
		}},
		{"offset without total stops on a short page", func(t *testing.T) fixture {
			rec, srv := newOffsetAPI(t, 5, false)
			return fixture{
				src: customSource(t, offsetDef, map[string]string{"base.url": srv.URL, "api.key": offsetKey},
					poller.HTTPConfig{}),
				req:     poller.Request{Resource: "things", Config: element.Resource{URL: "/things", IDField: "id"}},
				rec:     rec,
				wantIDs: seq(1, 5),
				wantQueries: []string{
					"offset=0&limit=2&api_key=" + offsetKey,
					"offset=2&limit=2&api_key=" + offsetKey,
					"offset=4&limit=2&api_key=" + offsetKey,
				},
			}
		}},
		{"none fetches one page", func(t *testing.T) fixture {
			rec, srv := newOffsetAPI(t, 3, false)
			return fixture{
				src: customSource(t, `{"key": "single", "hub": "general", "baseUrl": "{base.url}",
					"auth": {"style": "query", "tokenKey": "api.key", "param": "api_key"}, "recordsPath": "data"}`,
					map[string]string{"base.url": srv.URL, "api.key": offsetKey}, poller.HTTPConfig{}),
				req:         poller.Request{Resource: "things", Config: element.Resource{URL: "/v1/things", IDField: "id"}},
				rec:         rec,
				wantIDs:     seq(1, 3),
				wantQueries: []string{"api_key=" + offsetKey},
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := tt.setup(t)
			require.Equal(t, f.wantIDs, fetchAll(t, f.src, f.req))
			require.Equal(t, f.wantQueries, rawQueries(f.rec))
		})
	}
}

// rawQueries returns the query of every request log kept, as sent.
func rawQueries(log *vendortest.RequestLog) []string {
	var qs []string
	for _, r := range log.Since(0) {
		qs = append(qs, r.RawQuery)
	}
	return qs
}

func TestHTTPSourceWooPage(t *testing.T) {
	t.Parallel()
	store := newWooStore(t, 7)
	src := wooSource(t, store.URL(), poller.HTTPConfig{})

	page, err := src.Fetch(t.Context(), poller.Request{Resource: "customers", Config: wooResource(t, "customers", 3)})
	require.NoError(t, err)
	require.Len(t, page.Records, 3)
	first, ok := store.Record("customers", 1)
	require.True(t, ok)
	require.Equal(t, string(first), string(page.Records[0]), "a record as the store wrote it")
	require.Equal(t, 7, page.Total)
	require.Equal(t, 3, page.TotalPages)
	require.Equal(t, time.Date(2026, 11, 24, 12, 5, 0, 0, time.UTC), page.Date)
	require.Equal(t, store.URL()+vendortest.WooAPIPath+"/customers?orderby=id&order=asc&page=1&per_page=3", page.URL)
	require.NotEmpty(t, page.Next)

	r, _ := store.Log().Last()
	require.Equal(t, "application/json", r.Header.Get("Accept"))
	require.Contains(t, r.Header.Get("User-Agent"), "elementevents")
}

func TestHTTPSourcePageSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pageSize int
		want     string
	}{
		{"resource size", 25, "per_page=25"},
		{"definition default", 0, "per_page=100"},
		{"capped at the definition maximum", 500, "per_page=100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := newWooStore(t, 1)
			src := wooSource(t, store.URL(), poller.HTTPConfig{})
			_, err := src.Fetch(t.Context(), poller.Request{Resource: "customers", Config: wooResource(t, "customers", tt.pageSize)})
			require.NoError(t, err) // the store answers 400 above 100
			last, _ := store.Log().Last()
			require.Equal(t, "orderby=id&order=asc&page=1&"+tt.want, last.RawQuery)
		})
	}

	t.Run("concur limit capped", func(t *testing.T) {
		t.Parallel()
		api := newConcurAPI(t, 1)
		src := concurSource(t, api.URL(), poller.HTTPConfig{})
		_, err := src.Fetch(t.Context(), poller.Request{Resource: "reports", Config: concurResource(t, 250), Since: since})
		require.NoError(t, err)
		last, _ := api.Log().Last()
		require.Equal(t, "100", last.Query.Get("limit"))
	})
}

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
			require.Equal(t, tt.want, r.RawQuery)
		})
	}
}

func TestHTTPSourceAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		auth      string
		conf      map[string]string
		check     func(t *testing.T, r vendortest.Request)
		wantQuery string
		wantURL   string // Page.URL after the server's address
	}{
		{
			name: "basic",
			auth: `{"style": "basic", "usernameKey": "oauth.api.key", "passwordKey": "oauth.api.secret"}`,
			conf: map[string]string{"oauth.api.key": "user", "oauth.api.secret": "pw"},
			check: func(t *testing.T, r vendortest.Request) {
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
			check: func(t *testing.T, r vendortest.Request) {
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
			check: func(t *testing.T, r vendortest.Request) {
				require.Equal(t, "Bearer tok", r.Header.Get("Authorization"))
			},
			wantURL: "/items",
		},
		{
			name: "header with prefix",
			auth: `{"style": "header", "tokenKey": "api.token", "param": "X-Auth", "prefix": "Token "}`,
			conf: map[string]string{"api.token": "tok"},
			check: func(t *testing.T, r vendortest.Request) {
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
			check: func(t *testing.T, r vendortest.Request) {
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

func TestNewHTTPSourceErrors(t *testing.T) {
	t.Parallel()
	woo := func(conf string) *element.Instance {
		inst, err := element.Parse([]byte(`{"element": {"key": "woocommercerest"}, "configuration": {` + conf + `}}`))
		require.NoError(t, err)
		return inst
	}
	// Parse refuses such a resource; an instance changed in Go may have it.
	badURL := woo(`"store.url": "https://shop.example", "oauth.api.key": "k", "oauth.api.secret": "s", "event.vendor.type": "polling"`)
	badURL.Configuration.Events.Resources = map[string]element.Resource{"orders": {URL: "/orders?after=${nope:x}", IDField: "id"}}
	tests := []struct {
		name     string
		cfg      poller.HTTPConfig
		wantText string
	}{
		{"no instance", poller.HTTPConfig{}, "Instance"},
		{"unknown element", poller.HTTPConfig{Instance: &element.Instance{Element: element.Element{Key: "nope"}}}, `"nope"`},
		{"base URL key missing", poller.HTTPConfig{Instance: woo(`"oauth.api.key": "k", "oauth.api.secret": "s"`)}, "store.url"},
		{"credential key missing", poller.HTTPConfig{Instance: woo(`"store.url": "https://shop.example", "oauth.api.key": "k"`)}, "oauth.api.secret"},
		{"bad base URL override", poller.HTTPConfig{Instance: woo(`"oauth.api.key": "k", "oauth.api.secret": "s"`), BaseURL: "shop.example"}, "BaseURL"},
		{"resource URL does not compile", poller.HTTPConfig{Instance: badURL}, "orders"},
		{"invalid definition", poller.HTTPConfig{Instance: woo(`"store.url": "https://shop.example"`),
			Definition: &element.Definition{Key: "bad"}}, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := poller.NewHTTPSource(tt.cfg)
			require.ErrorIs(t, err, poller.ErrConfig)
			require.ErrorContains(t, err, tt.wantText)
			require.Nil(t, src)
		})
	}
}

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

// fetchAsync runs Fetch in a goroutine, for tests that drive the clock.
func fetchAsync(ctx context.Context, src poller.Source, req poller.Request) <-chan fetchResult {
	ch := make(chan fetchResult, 1)
	go func() {
		page, err := src.Fetch(ctx, req)
		ch <- fetchResult{page, err}
	}()
	return ch
}

type fetchResult struct {
	page *poller.Page
	err  error
}

// waitExactly asserts that the source is waiting on clock for exactly d:
// still waiting a nanosecond before, and woken at d.
func waitExactly(t *testing.T, clock *clockwork.FakeClock, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, clock.BlockUntilContext(ctx, 1), "source is not waiting")
	clock.Advance(d - time.Nanosecond)
	// A fake timer stays a waiter until it fires, so this returns at once
	// if, and only if, the wait has not ended.
	require.NoError(t, clock.BlockUntilContext(ctx, 1), "wait ended before %s", d)
	clock.Advance(time.Nanosecond)
}

func TestHTTPSourceRetryAfter(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wantWait   time.Duration
	}{
		{"429 seconds", http.StatusTooManyRequests, "7", 7 * time.Second},
		{"503 seconds", http.StatusServiceUnavailable, "120", 2 * time.Minute},
		{"429 HTTP date", http.StatusTooManyRequests, start.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		// The vendor's clock runs 10 minutes ahead: its date is read
		// against its own Date header, not the local clock.
		{"429 HTTP date, vendor clock ahead", http.StatusTooManyRequests, start.Add(10*time.Minute + 30*time.Second).Format(http.TimeFormat), 30 * time.Second},
		{"capped at Max", http.StatusTooManyRequests, "86400", 10 * time.Minute},
		{"date in the past", http.StatusServiceUnavailable, start.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			date := start
			if strings.HasSuffix(tt.name, "vendor clock ahead") {
				date = start.Add(10 * time.Minute)
			}
			vendor, srv := newScripted(t,
				reply{status: tt.status, header: http.Header{"Retry-After": {tt.retryAfter}, "Date": {date.Format(http.TimeFormat)}}},
				ok200)
			clock := clockwork.NewFakeClockAt(start)
			src := scriptedSource(t, srv, poller.HTTPConfig{Clock: clock, Timeout: -1})

			res := fetchAsync(t.Context(), src, itemsReq)
			if tt.wantWait > 0 {
				waitExactly(t, clock, tt.wantWait)
			}
			r := <-res
			require.NoError(t, r.err)
			require.Len(t, r.page.Records, 1)
			require.Equal(t, 2, vendor.Len())
		})
	}
}

func TestHTTPSourceBackoff(t *testing.T) {
	t.Parallel()
	policy := poller.RetryPolicy{Tries: 4, Initial: time.Second, Factor: 2, Max: 3 * time.Second}

	t.Run("schedule", func(t *testing.T) {
		t.Parallel()
		vendor, srv := newScripted(t,
			reply{status: http.StatusInternalServerError},
			reply{status: http.StatusBadGateway},
			reply{status: http.StatusTooManyRequests}, // no Retry-After: backoff
			ok200)
		clock := clockwork.NewFakeClock()
		src := scriptedSource(t, srv, poller.HTTPConfig{Clock: clock, Retry: policy, Timeout: -1})

		res := fetchAsync(t.Context(), src, itemsReq)
		for _, d := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
			waitExactly(t, clock, d)
		}
		r := <-res
		require.NoError(t, r.err)
		require.Equal(t, 4, vendor.Len())
	})

	t.Run("exhausted", func(t *testing.T) {
		t.Parallel()
		vendor, srv := newScripted(t, reply{status: http.StatusServiceUnavailable})
		clock := clockwork.NewFakeClock()
		src := scriptedSource(t, srv, poller.HTTPConfig{Clock: clock, Retry: policy, Timeout: -1})

		res := fetchAsync(t.Context(), src, itemsReq)
		for _, d := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
			waitExactly(t, clock, d)
		}
		r := <-res
		require.ErrorIs(t, r.err, poller.ErrVendor)
		require.ErrorContains(t, r.err, "items")
		require.ErrorContains(t, r.err, "status 503")
		require.ErrorContains(t, r.err, srv.URL+"/items?access_token=REDACTED&key=REDACTED")
		require.NotContains(t, r.err.Error(), "hunter2")
		require.NotContains(t, r.err.Error(), "inline-secret")
		require.Equal(t, 4, vendor.Len())
	})

	t.Run("network error", func(t *testing.T) {
		t.Parallel()
		_, srv := newScripted(t, ok200)
		srv.Close() // connection refused from now on
		src := scriptedSource(t, srv, poller.HTTPConfig{Retry: poller.RetryPolicy{Tries: 1}})
		_, err := src.Fetch(t.Context(), itemsReq)
		require.ErrorIs(t, err, poller.ErrVendor)
		require.ErrorContains(t, err, "network error (attempt 1 of 1)")
		require.NotContains(t, err.Error(), "hunter2")
	})
}

func TestHTTPSourceTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	clock := clockwork.NewFakeClock()
	src := scriptedSource(t, srv, poller.HTTPConfig{
		Clock: clock, Timeout: 5 * time.Second,
		Retry: poller.RetryPolicy{Tries: 2, Initial: time.Second},
	})

	res := fetchAsync(t.Context(), src, itemsReq)
	waitExactly(t, clock, 5*time.Second) // first attempt times out
	waitExactly(t, clock, time.Second)   // backoff
	waitExactly(t, clock, 5*time.Second) // second attempt times out
	r := <-res
	require.ErrorIs(t, r.err, poller.ErrVendor)
	require.ErrorContains(t, r.err, "timed out after 5s (attempt 2 of 2)")
}

func TestHTTPSourceCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	vendor, srv := newScripted(t, reply{status: http.StatusBadGateway})
	clock := clockwork.NewFakeClock()
	src := scriptedSource(t, srv, poller.HTTPConfig{Clock: clock, Timeout: -1})

	ctx, cancel := context.WithCancel(t.Context())
	res := fetchAsync(ctx, src, itemsReq)
	require.NoError(t, clock.BlockUntilContext(t.Context(), 1))
	cancel()
	select {
	case r := <-res:
		require.ErrorIs(t, r.err, context.Canceled)
		require.NotContains(t, r.err.Error(), "hunter2")
	case <-time.After(5 * time.Second):
		t.Fatal("Fetch did not return after cancel")
	}
	require.Equal(t, 1, vendor.Len())
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

func TestHTTPSourceNextURLSafety(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		next    string
		wantErr error
	}{
		{"other host refused with credentials", `"https://collector.example/steal"`, poller.ErrMalformedPage},
		{"not a string", `42`, poller.ErrMalformedPage},
		{"same page forever", `"{{srv}}` + vendortest.ConcurReportsPath + `?user=ALL&modifiedDateAfter=2026-11-24T12%3A00%3A00&limit=100"`, poller.ErrMalformedPage},
		{"empty is the last page", `""`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var srvURL string
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(rw, `{"Items":[],"NextPage":%s}`, strings.ReplaceAll(tt.next, "{{srv}}", srvURL))
			}))
			t.Cleanup(srv.Close)
			srvURL = srv.URL
			src := concurSource(t, srv.URL, poller.HTTPConfig{})
			page, err := src.Fetch(t.Context(), poller.Request{Resource: "reports", Config: concurResource(t, 0), Since: since})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Empty(t, page.Next)
		})
	}
}

func TestHTTPSourceTokenHoldsNoKey(t *testing.T) {
	t.Parallel()
	// A vendor that echoes the query key in its next link: the token must
	// not carry it, and the next request must still authenticate.
	rec := &vendortest.RequestLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec.Record(r)
		if r.URL.Query().Get("key") != "hunter2" {
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("p") == "" {
			rw.Header().Set("Link", `</items?key=hunter2&p=2>; rel="next"`)
		}
		io.WriteString(rw, `[{"id":1}]`)
	}))
	t.Cleanup(srv.Close)
	src := customSource(t, `{"key": "echo", "hub": "general", "baseUrl": "{base.url}",
		"auth": {"style": "query", "tokenKey": "api.key", "param": "key"}, "pagination": {"style": "link"}}`,
		map[string]string{"base.url": srv.URL, "api.key": "hunter2"}, poller.HTTPConfig{})
	req := poller.Request{Resource: "items", Config: element.Resource{URL: "/items", IDField: "id"}}

	page, err := src.Fetch(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, srv.URL+"/items?p=2", page.Next)
	req.Token = page.Next
	page, err = src.Fetch(t.Context(), req)
	require.NoError(t, err)
	require.Empty(t, page.Next)
	last, _ := rec.Last()
	require.Equal(t, "p=2&key=hunter2", last.RawQuery)
}

func TestHTTPSourceBadToken(t *testing.T) {
	t.Parallel()
	store := newWooStore(t, 1)
	src := wooSource(t, store.URL(), poller.HTTPConfig{})
	for _, token := range []string{"x", "0", "-3"} {
		_, err := src.Fetch(t.Context(), poller.Request{Resource: "customers", Config: wooResource(t, "customers", 0), Token: token})
		require.ErrorIs(t, err, poller.ErrConfig, token)
	}
}

func TestHTTPSourceConcurrent(t *testing.T) {
	t.Parallel()
	store := newWooStore(t, 9)
	src := wooSource(t, store.URL(), poller.HTTPConfig{})
	req := poller.Request{Resource: "orders", Config: wooResource(t, "orders", 4), Since: since}
	results := make(chan []string, 8)
	for range cap(results) {
		go func() {
			ids, err := collect(t.Context(), src, req)
			if err != nil {
				ids = []string{err.Error()}
			}
			results <- ids
		}()
	}
	for range cap(results) {
		require.Equal(t, seq(1, 9), <-results)
	}
}

// fakeVendor is a RoundTripper answering without a network: 503 with
// Retry-After once, then a page.
type fakeVendor struct {
	mu    sync.Mutex
	calls int
}

func (f *fakeVendor) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	resp := &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(`[{"id":1},{"id":2}]`)),
		Request:    r,
	}
	if f.calls == 1 {
		resp.StatusCode = http.StatusServiceUnavailable
		resp.Header.Set("Retry-After", "2")
		resp.Body = io.NopCloser(strings.NewReader(`busy`))
	}
	return resp, nil
}

func TestHTTPSourceSynctest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		vendor := &fakeVendor{}
		src := customSource(t, `{"key": "bubble", "hub": "general", "baseUrl": "{base.url}"}`,
			map[string]string{"base.url": "https://vendor.invalid"}, poller.HTTPConfig{Transport: vendor})

		start := time.Now()
		page, err := src.Fetch(t.Context(), poller.Request{Resource: "items", Config: element.Resource{URL: "/items", IDField: "id"}})
		require.NoError(t, err)
		require.Len(t, page.Records, 2)
		require.Equal(t, 2*time.Second, time.Since(start), "waited the Retry-After on the bubble's clock")
		require.Equal(t, 2, vendor.calls)
	})
}
