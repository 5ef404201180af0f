package poller_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// TestHTTPSourceRedirects checks that a vendor's redirect is followed on
// the resource's own origin and refused, for good and before any request,
// to another one: a redirect to an internal address would otherwise have
// its answer published in notifications.
func TestHTTPSourceRedirects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		to      string // {{srv}}: the resource's server; {{other}}: another one
		wantErr bool
	}{
		{name: "same origin", to: "{{srv}}/moved"},
		{name: "relative", to: "/moved"},
		{name: "another server", to: "{{other}}/admin", wantErr: true},
		{name: "cloud metadata", to: "http://169.254.169.254/latest/meta-data/", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			other := &vendortest.RequestLog{}
			otherSrv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				other.Record(r)
				fmt.Fprint(rw, `[{"id": "internal"}]`)
			}))
			t.Cleanup(otherSrv.Close)
			vendor := &vendortest.RequestLog{}
			var srvURL string
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				vendor.Record(r)
				if r.URL.Path == "/moved" {
					fmt.Fprint(rw, `[{"id": 1}]`)
					return
				}
				to := tt.to
				switch to {
				case "{{srv}}/moved":
					to = srvURL + "/moved"
				case "{{other}}/admin":
					to = otherSrv.URL + "/admin"
				}
				http.Redirect(rw, r, to, http.StatusFound)
			}))
			t.Cleanup(srv.Close)
			srvURL = srv.URL
			src := customSource(t, `{"key": "mover", "hub": "general", "baseUrl": "{base.url}"}`,
				map[string]string{"base.url": srv.URL}, poller.HTTPConfig{})

			page, err := src.Fetch(t.Context(), poller.Request{Resource: "items", Config: element.Resource{URL: "/items", IDField: "id"}})
			require.Zero(t, other.Len(), "the other server was not asked")
			if !tt.wantErr {
				require.NoError(t, err)
				require.Equal(t, 2, vendor.Len(), "the redirect and the page")
				require.NotNil(t, page)
				return
			}
			require.ErrorIs(t, err, poller.ErrVendor)
			require.ErrorContains(t, err, "redirect to another origin refused")
			require.Equal(t, 1, vendor.Len(), "refused at once, not retried")
		})
	}
}
