package poller_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
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
// unsigned returns a raw query without its oauth_* parameters: the fake
// store, served on http, takes only OAuth 1.0a signed requests, so every
// query it logs carries a fresh nonce and signature after the poller's
// own parameters.
func unsigned(raw string) string {
	var kept []string
	for _, p := range strings.Split(raw, "&") {
		if !strings.HasPrefix(p, "oauth_") {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "&")
}

// unsignedValues returns q without its oauth_* parameters.
func unsignedValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if !strings.HasPrefix(k, "oauth_") {
			out[k] = v
		}
	}
	return out
}

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

// The OAuth 2 client and first refresh token of the Concur test
// instances, which the fake's token endpoint knows.
const (
	concurClientID     = "5f1c9d2e-concur-client"
	concurClientSecret = "TOPSECRET-concur-client-secret"
	concurRefresh      = "TOPSECRET-concur-refresh-token"
)

// concurCredentials is the configuration members of concurClientID's
// instance, for an instance body.
const concurCredentials = `"oauth.api.key": "` + concurClientID + `", "oauth.api.secret": "` + concurClientSecret +
	`", "oauth.refresh.token": "` + concurRefresh + `"`

// concurAuth is the ConcurConfig of a fake whose token endpoint serves
// concurCredentials.
func concurAuth(cfg vendortest.ConcurConfig) vendortest.ConcurConfig {
	cfg.ClientID, cfg.ClientSecret, cfg.RefreshToken = concurClientID, concurClientSecret, concurRefresh
	return cfg
}

// newConcurAPI serves a Concur with reports RPT0000 to RPT<n-1>, modified
// after since.
func newConcurAPI(t *testing.T, n int) *vendortest.Concur {
	t.Helper()
	api := vendortest.ServeConcur(t, concurAuth(vendortest.ConcurConfig{}))
	for i := range n {
		api.PutReport(vendortest.Report{ID: fmt.Sprintf("RPT%04d", i), Name: fmt.Sprintf("Trip %d", i), Total: 12.5,
			Created: since.Add(-96 * time.Hour).Add(time.Duration(i) * time.Minute), Modified: since.Add(30 * time.Minute)})
	}
	return api
}

func concurSource(t *testing.T, baseURL string, cfg poller.HTTPConfig) *poller.HTTPSource {
	t.Helper()
	inst, err := element.Parse([]byte(`{"element": {"key": "concur"}, "name": "expenses",
		"configuration": {"concur.base.url": "` + baseURL + `", ` + concurCredentials + `,
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
