package poller_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// A WooCommerce store's customers, two a page: the source follows the
// store's page numbers until X-WP-TotalPages. The store is vendortest's
// fake; in a test, vendortest.ServeWooCommerce serves it.
func ExampleHTTPSource() {
	store, err := vendortest.NewWooCommerce(vendortest.WooConfig{Key: "ck_example", Secret: "cs_example"})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(store)
	defer srv.Close()
	store.SetURL(srv.URL)
	registered := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for _, email := range []string{"ann@example.com", "bob@example.com", "cy@example.com"} {
		store.PutCustomer(vendortest.Customer{Email: email, Created: registered})
	}

	inst, err := element.Parse([]byte(`{"element": {"key": "woocommercerest"}, "configuration": {
		"store.url": "` + store.URL() + `", "oauth.api.key": "ck_example", "oauth.api.secret": "cs_example"}}`))
	if err != nil {
		panic(err)
	}
	// The guard refuses loopback: allow exactly the test store.
	guard := netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}}
	src, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: inst, Guard: guard})
	if err != nil {
		panic(err)
	}
	def, _ := element.Default().Lookup("woocommercerest")
	req := poller.Request{Resource: "customers", Config: def.Resources["customers"]}
	req.Config.PageSize = 2
	seen := 0
	for {
		page, err := src.Fetch(context.Background(), req)
		if err != nil {
			panic(err)
		}
		for _, rec := range page.Records {
			var c struct {
				ID    int    `json:"id"`
				Email string `json:"email"`
			}
			_ = json.Unmarshal(rec, &c)
			fmt.Println(c.ID, c.Email)
		}
		seen += len(page.Records)
		if page.Next == "" {
			fmt.Printf("%d of %d records\n", seen, page.Total)
			return
		}
		req.Token = page.Next
	}
	// Output:
	// 1 ann@example.com
	// 2 bob@example.com
	// 3 cy@example.com
	// 3 of 3 records
}
