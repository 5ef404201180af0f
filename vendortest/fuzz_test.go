package vendortest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/vendortest"
)

// FuzzWooCommerceQuery sends the store any query on either resource: it
// answers 200 with a JSON array or 400 with a WordPress error, never
// panics.
func FuzzWooCommerceQuery(f *testing.F) {
	for _, q := range []string{
		"orderby=id&order=asc&page=1&per_page=2",
		"orderby=modified&order=asc&dates_are_gmt=true&modified_after=2026-11-24T12:00:00&page=1&per_page=100",
		"page=99999999999999999999", "per_page=-1", "after=2026-11-24T12:00:00Z&before=x",
		"consumer_key=ck_test&consumer_secret=cs_test&page=2", "orderby=name&order=desc", "%zz",
	} {
		f.Add(q, false)
		f.Add(q, true)
	}
	s, err := vendortest.NewWooCommerce(vendortest.WooConfig{Key: key, Secret: secret, Clock: clockwork.NewFakeClockAt(t0)})
	if err != nil {
		f.Fatal(err)
	}
	for id := 1; id <= 5; id++ {
		s.PutCustomer(vendortest.Customer{Email: "c@example.com", Created: t0.Add(-time.Duration(id) * time.Hour)})
		s.PutOrder(vendortest.Order{Created: t0.Add(-time.Duration(id) * time.Hour)})
	}
	f.Fuzz(func(t *testing.T, query string, orders bool) {
		path := vendortest.WooAPIPath + "/customers"
		if orders {
			path = vendortest.WooAPIPath + "/orders"
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.URL.RawQuery = query
		req.SetBasicAuth(key, secret)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK:
			var recs []json.RawMessage
			if err := json.Unmarshal(w.Body.Bytes(), &recs); err != nil {
				t.Fatalf("200 with %q: %v", w.Body, err)
			}
		case http.StatusBadRequest:
			var e struct{ Code string }
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code == "" {
				t.Fatalf("400 with %q", w.Body)
			}
		default:
			t.Fatalf("status %d for %q", w.Code, query)
		}
	})
}

// FuzzConcurQuery sends the Concur fake any query: it answers 200 with a
// page or 400 with a message, never panics.
func FuzzConcurQuery(f *testing.F) {
	for _, q := range []string{
		"user=ALL&modifiedDateAfter=2026-11-24T12:00:00&limit=100", "offset=gWqMg&limit=2&user=ALL",
		"offset=gWq&limit=0", "limit=99999999999999999999", "modifiedDateAfter=2026-11-24T12:00:00.1234",
	} {
		f.Add(q)
	}
	c, err := vendortest.NewConcur(vendortest.ConcurConfig{Token: token, Clock: clockwork.NewFakeClockAt(t0), MaxLimit: 2})
	if err != nil {
		f.Fatal(err)
	}
	for _, id := range []string{"A", "B", "C"} {
		c.PutReport(vendortest.Report{ID: id, Created: t0})
	}
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, vendortest.ConcurReportsPath, nil)
		req.URL.RawQuery = query
		bearer(req)
		w := httptest.NewRecorder()
		c.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK:
			var p concurPage
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Items == nil {
				t.Fatalf("200 with %q: %v", w.Body, err)
			}
		case http.StatusBadRequest:
			var e struct{ Message string }
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Message == "" {
				t.Fatalf("400 with %q", w.Body)
			}
		default:
			t.Fatalf("status %d for %q", w.Code, query)
		}
	})
}
