package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// TestHandlerOnRequest checks that the hook hears of every request once,
// after the answer, with the outcome, status, instance and event count,
// and never the path's element key when no instance was found.
func TestHandlerOnRequest(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []webhook.RequestInfo
	)
	f := setupHandler(t, webhook.Config{MaxBodyBytes: 256, OnRequest: func(ctx context.Context, info webhook.RequestInfo) {
		require.NotNil(t, ctx)
		mu.Lock()
		seen = append(seen, info)
		mu.Unlock()
	}}, nil)
	customer := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	signed := []string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, customer),
		vendortest.WooHeaderDeliveryID, "d-1"}
	big := bytes.Repeat([]byte(" "), 300)
	tests := []struct {
		name    string
		method  string
		path    string
		body    []byte
		headers []string
		fail    bool
		want    webhook.RequestInfo
	}{
		{"accepted", http.MethodPost, "/events/woocommercerest/woo-1", customer, signed, false,
			webhook.RequestInfo{ElementKey: "woocommercerest", Instance: "woo-1", Outcome: webhook.OutcomeAccepted, Status: 200, Events: map[events.Type]int{events.Updated: 1}}},
		{"duplicate delivery", http.MethodPost, "/events/woocommercerest/woo-1", customer, signed, false,
			webhook.RequestInfo{ElementKey: "woocommercerest", Instance: "woo-1", Outcome: webhook.OutcomeDuplicate, Status: 200}},
		{"ping", http.MethodPost, "/events/woocommercerest/woo-1", []byte("webhook_id=15"), []string{"Content-Type", "application/x-www-form-urlencoded"}, false,
			webhook.RequestInfo{ElementKey: "woocommercerest", Instance: "woo-1", Outcome: webhook.OutcomePing, Status: 200}},
		{"unknown instance", http.MethodPost, "/events/made-up-element/woo-404", customer, nil, false,
			webhook.RequestInfo{Outcome: webhook.OutcomeUnknownInstance, Status: 404}},
		{"events disabled", http.MethodPost, "/events/woocommercerest/woo-off", customer, nil, false,
			webhook.RequestInfo{ElementKey: "woocommercerest", Instance: "woo-off", Outcome: webhook.OutcomeUnknownInstance, Status: 404}},
		{"bad signature", http.MethodPost, "/events/woocommercerest/woo-1", customer, []string{vendortest.WooHeaderTopic, "customer.updated"}, false,
			webhook.RequestInfo{ElementKey: "woocommercerest", Instance: "woo-1", Outcome: webhook.OutcomeUnauthorized, Status: 401}},
		{"method", http.MethodGet, "/events/woocommercerest/woo-1", nil, nil, false,
			webhook.RequestInfo{ElementKey: "woocommercerest", Instance: "woo-1", Outcome: webhook.OutcomeInvalid, Status: 405}},
		{"bad body", http.MethodPost, "/events/woocommercerest/woo-open", []byte(`{"id":`), []string{vendortest.WooHeaderTopic, "customer.updated"}, false,
			webhook.RequestInfo{ElementKey: "woocommercerest", Instance: "woo-open", Outcome: webhook.OutcomeInvalid, Status: 400}},
		{"too large", http.MethodPost, "/events/woocommercerest/woo-open", big, []string{vendortest.WooHeaderTopic, "customer.updated"}, false,
			webhook.RequestInfo{ElementKey: "woocommercerest", Instance: "woo-open", Outcome: webhook.OutcomeTooLarge, Status: 413}},
		{"sink refuses", http.MethodPost, "/events/woocommercerest/woo-open", []byte(`{"id":26}`), []string{vendortest.WooHeaderTopic, "customer.updated"}, true,
			webhook.RequestInfo{ElementKey: "woocommercerest", Instance: "woo-open", Outcome: webhook.OutcomeUnavailable, Status: 503}},
	}
	for _, tt := range tests {
		if tt.fail {
			f.sink.fail(errors.New("outbox down"))
		}
		r := f.do(t, tt.method, tt.path, tt.body, tt.headers...)
		f.sink.fail(nil)
		require.Equal(t, tt.want.Status, r.status, "%s: %s", tt.name, r.body)
		mu.Lock()
		require.NotEmpty(t, seen, tt.name)
		got := seen[len(seen)-1]
		n := len(seen)
		seen = nil
		mu.Unlock()
		require.Equal(t, 1, n, "%s: one call per request", tt.name)
		require.Equal(t, tt.want, got, tt.name)
	}
}
