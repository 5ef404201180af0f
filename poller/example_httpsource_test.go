package poller_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
)

// A WooCommerce store's customers, two a page: the source follows the
// store's page numbers until X-WP-TotalPages.
func ExampleHTTPSource() {
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-WP-Total", "3")
		w.Header().Set("X-WP-TotalPages", "2")
		if r.URL.Query().Get("page") == "1" {
			io.WriteString(w, `[{"id":1,"email":"ann@example.com"},{"id":2,"email":"bob@example.com"}]`)
			return
		}
		io.WriteString(w, `[{"id":3,"email":"cy@example.com"}]`)
	}))
	defer store.Close()

	inst, err := element.Parse([]byte(`{"element": {"key": "woocommercerest"}, "configuration": {
		"store.url": "` + store.URL + `", "oauth.api.key": "ck_example", "oauth.api.secret": "cs_example"}}`))
	if err != nil {
		panic(err)
	}
	// The guard refuses loopback: allow exactly the test store.
	guard := netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(store.Listener.Addr().String())}}
	src, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: inst, Guard: guard})
	if err != nil {
		panic(err)
	}
	def, _ := element.Lookup("woocommercerest")
	req := poller.Request{Resource: "customers", Config: def.Resources["customers"]}
	req.Config.PageSize = 2
	seen := 0
	for {
		page, err := src.Fetch(context.Background(), req)
		if err != nil {
			panic(err)
		}
		for _, rec := range page.Records {
			fmt.Println(string(rec))
		}
		seen += len(page.Records)
		if page.Next == "" {
			fmt.Printf("%d of %d records\n", seen, page.Total)
			return
		}
		req.Token = page.Next
	}
	// Output:
	// {"id":1,"email":"ann@example.com"}
	// {"id":2,"email":"bob@example.com"}
	// {"id":3,"email":"cy@example.com"}
	// 3 of 3 records
}
