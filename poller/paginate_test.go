package poller_test

import (
	"encoding/json"
	"fmt"
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
