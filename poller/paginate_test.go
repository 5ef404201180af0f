package poller_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// TestHTTPSourceFollowsOnlyOwnOrigin checks that a next page named by the
// vendor (Link header or body field) is followed only on the resource's
// own scheme, host and port, with credentials or without: a hostile page
// must not send the poller to another address, whose answer would go out
// in notifications. The other address is a second loopback server that
// must see no request.
func TestHTTPSourceFollowsOnlyOwnOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		next     string // {{srv}}: the resource's server; {{other}}: another one
		wantNext string // "" with wantErr
		wantErr  string // a substring of the error; "" for none
	}{
		{name: "same origin", next: "{{srv}}/items?p=2", wantNext: "{{srv}}/items?p=2"},
		{name: "relative", next: "/items?p=2", wantNext: "{{srv}}/items?p=2"},
		{name: "scheme and host in upper case", next: "{{SRV}}/items?p=2", wantNext: "{{SRV}}/items?p=2"},
		{name: "another server", next: "{{other}}/admin", wantErr: "not the resource's"},
		{name: "another host", next: "http://evil.example/steal", wantErr: "on host evil.example"},
		{name: "same host, another port", next: "http://127.0.0.1:1/items", wantErr: "on host 127.0.0.1:1"},
		{name: "same host, another scheme", next: "{{https}}/items?p=2", wantErr: "next page URL is https, not http"},
		{name: "huge host, cut in the error", next: "http://" + strings.Repeat("a", 1<<20) + ".example/", wantErr: "…(1048584 bytes)"},
	}
	styles := []struct {
		name       string
		pagination string
		serve      func(rw http.ResponseWriter, next string)
	}{
		{"next-url", `{"style": "next-url", "nextField": "next"}`, func(rw http.ResponseWriter, next string) {
			b, _ := json.Marshal(next)
			fmt.Fprintf(rw, `{"items": [{"id": 1}], "next": %s}`, b)
		}},
		{"link", `{"style": "link"}`, func(rw http.ResponseWriter, next string) {
			rw.Header().Set("Link", "<"+next+`>; rel="next"`)
			fmt.Fprint(rw, `{"items": [{"id": 1}]}`)
		}},
	}
	auths := []struct{ name, auth string }{
		{"no credentials", `{"style": "none"}`},
		{"bearer", `{"style": "bearer", "tokenKey": "api.token"}`},
	}
	for _, st := range styles {
		for _, a := range auths {
			for _, tt := range tests {
				t.Run(st.name+"/"+a.name+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					other := &vendortest.RequestLog{}
					otherSrv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
						other.Record(r)
						fmt.Fprint(rw, `{"items": [{"id": "internal"}]}`)
					}))
					t.Cleanup(otherSrv.Close)
					var expand func(string) string
					srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
						st.serve(rw, expand(tt.next))
					}))
					t.Cleanup(srv.Close)
					expand = func(s string) string {
						return strings.NewReplacer("{{srv}}", srv.URL, "{{SRV}}", strings.ToUpper(srv.URL),
							"{{other}}", otherSrv.URL, "{{https}}", strings.Replace(srv.URL, "http:", "https:", 1)).Replace(s)
					}
					src := customSource(t, `{"key": "pager", "hub": "general", "baseUrl": "{base.url}",
						"auth": `+a.auth+`, "pagination": `+st.pagination+`}`,
						map[string]string{"base.url": srv.URL, "api.token": "tok-secret"}, poller.HTTPConfig{})
					req := poller.Request{Resource: "items", Config: element.Resource{URL: "/items", IDField: "id", RecordsPath: "items"}}

					page, err := src.Fetch(t.Context(), req)
					if tt.wantErr == "" {
						require.NoError(t, err)
						require.Equal(t, expand(tt.wantNext), page.Next)
						return
					}
					require.ErrorIs(t, err, poller.ErrMalformedPage)
					require.Less(t, len(err.Error()), 1024, "the error does not repeat the URL: %.300q", err.Error())
					require.ErrorContains(t, err, tt.wantErr)
					require.NotContains(t, err.Error(), "tok-secret")
					require.Zero(t, other.Len(), "the other server was not asked")
				})
			}
		}
	}
}

// TestHTTPSourceTokenOnOtherOrigin checks that a stored token naming
// another origin, which Fetch would otherwise request, is refused before
// any request.
func TestHTTPSourceTokenOnOtherOrigin(t *testing.T) {
	t.Parallel()
	other := &vendortest.RequestLog{}
	otherSrv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { other.Record(r) }))
	t.Cleanup(otherSrv.Close)
	_, srv := newScripted(t, reply{status: http.StatusOK, body: `[]`})
	src := customSource(t, `{"key": "pager", "hub": "general", "baseUrl": "{base.url}", "pagination": {"style": "link"}}`,
		map[string]string{"base.url": srv.URL}, poller.HTTPConfig{})
	u, err := url.Parse(otherSrv.URL)
	require.NoError(t, err)

	_, err = src.Fetch(t.Context(), poller.Request{Resource: "items", Config: element.Resource{URL: "/items", IDField: "id"},
		Token: otherSrv.URL + "/items?p=2"})
	require.ErrorIs(t, err, poller.ErrConfig)
	require.ErrorContains(t, err, "on host "+u.Host)
	require.Zero(t, other.Len())
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
			require.Equal(t, "orderby=id&order=asc&page=1&"+tt.want, unsigned(last.RawQuery))
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
				if r.URL.Path == vendortest.ConcurTokenPath {
					rw.Header().Set("Content-Type", "application/json")
					io.WriteString(rw, `{"access_token":"at","token_type":"Bearer","expires_in":"3600"}`)
					return
				}
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

// rawQueries returns the query of every request the log kept, as sent.
func rawQueries(log *vendortest.RequestLog) []string {
	var qs []string
	for _, r := range log.Since(0) {
		if r.Resource == "token" {
			continue // the OAuth 2 token endpoint, not a page
		}
		qs = append(qs, unsigned(r.RawQuery))
	}
	return qs
}
