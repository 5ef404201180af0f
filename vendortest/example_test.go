package vendortest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendortest"
)

// A store with three customers, listed two a page as a poller asks for
// them; in a test, ServeWooCommerce does the serving and the cleanup.
func ExampleNewWooCommerce() {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	store, err := vendortest.NewWooCommerce(vendortest.WooConfig{Key: "ck", Secret: "cs", Clock: clock})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(store)
	defer srv.Close()
	store.SetURL(srv.URL)
	for _, email := range []string{"ann@example.com", "bob@example.com", "cy@example.com"} {
		store.PutCustomer(vendortest.Customer{Email: email, Created: clock.Now().Add(-time.Hour)})
	}

	signer, _ := vendorauth.NewOAuth1(vendorauth.OAuth1Config{ConsumerKey: "ck", ConsumerSecret: "cs", Clock: clock})
	for page := 1; page <= 2; page++ {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/customers?orderby=id&per_page=2&page=%d", store.URL()+vendortest.WooAPIPath, page), nil)
		// The store is served on http, so it wants OAuth 1.0a, as
		// WooCommerce does; a poller signs as this signer does.
		if err := signer.Sign(req); err != nil {
			fmt.Println(err)
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		var customers []struct {
			ID      int    `json:"id"`
			Email   string `json:"email"`
			Created string `json:"date_created_gmt"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&customers)
		resp.Body.Close()
		fmt.Println("page", page, "of", resp.Header.Get("X-WP-TotalPages"), customers)
	}
	last, _ := store.Log().Last()
	fmt.Println(last.Page, last.IDs, last.Status)
	// Output:
	// page 1 of 2 [{1 ann@example.com 2026-11-24T11:00:00} {2 bob@example.com 2026-11-24T11:00:00}]
	// page 2 of 2 [{3 cy@example.com 2026-11-24T11:00:00}]
	// 2 [3] 200
}

// A webhook for customer.updated: the store pings its URL when it is
// added, then delivers every update signed with the webhook's secret.
func ExampleWooCommerce_AddWebhook() {
	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{signature.Key("wc-secret")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		topic := r.Header.Get(vendortest.WooHeaderTopic)
		if topic == "" {
			fmt.Println("ping:", string(body))
			return
		}
		err := v.VerifyHMAC(body, r.Header.Get(vendortest.WooHeaderSignature))
		fmt.Println(topic, "verified:", err == nil)
	}))
	defer receiver.Close()
	store, _ := vendortest.NewWooCommerce(vendortest.WooConfig{Key: "ck", Secret: "cs"})
	defer store.Close()
	c := store.PutCustomer(vendortest.Customer{Email: "ann@example.com"})

	ctx := context.Background()
	if _, err := store.AddWebhook(ctx, "customer.updated", receiver.URL, "wc-secret"); err != nil {
		fmt.Println(err)
		return
	}
	_, err = store.UpdateCustomer(ctx, c.ID, func(c *vendortest.Customer) { c.Email = "ann@example.org" })
	fmt.Println(err)
	// Output:
	// ping: webhook_id=1
	// customer.updated verified: true
	// <nil>
}
