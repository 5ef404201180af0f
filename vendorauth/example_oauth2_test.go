package vendorauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendorauth"
)

// A token endpoint that rotates the refresh token: the OAuth2 keeps the
// new one in its TokenStore and sends it at the next refresh.
func ExampleOAuth2() {
	next := map[string]string{"rt-0": "rt-1", "rt-1": "rt-2"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt := r.PostFormValue("refresh_token")
		w.Header().Set("Content-Type", "application/json")
		if next[rt] == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":"at-for-%s","token_type":"Bearer","expires_in":"3600","refresh_token":%q}`, rt, next[rt])
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)

	store := vendorauth.NewMemoryTokenStore()
	o, err := vendorauth.NewOAuth2(vendorauth.OAuth2Config{
		TokenURL: srv.URL + "/oauth2/v0/token", ClientID: "app", ClientSecret: "s3cret",
		RefreshToken: "rt-0", AuthInBody: true, Store: store, Key: "concur/42",
		Guard: netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(u.Host)}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	req, _ := http.NewRequest(http.MethodGet, "https://api.example/reports", nil)
	if err := o.Authorize(req); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Header.Get("Authorization"))
	// After a 401 the token is renewed with the rotated refresh token.
	if err := o.Refresh(req); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Header.Get("Authorization"))
	stored, _ := store.Load(req.Context(), "concur/42")
	fmt.Printf("stored refresh token: %v\n", stored.RefreshToken)
	// Output:
	// Bearer at-for-rt-0
	// Bearer at-for-rt-1
	// stored refresh token: [REDACTED]
}
