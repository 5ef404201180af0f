package otel_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/a12b7632/elementevents/vendortest"
)

// spanAttrs returns a span's attributes as strings.
func spanAttrs(s sdktrace.ReadOnlySpan) map[string]string {
	return attrs(attribute.NewSet(s.Attributes()...))
}

// byName returns the ended spans named name.
func (r *rig) byName(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// requireFakeTimes checks that a span was stamped by the fake clock.
func (r *rig) requireFakeTimes(s sdktrace.ReadOnlySpan) {
	r.t.Helper()
	require.False(r.t, s.StartTime().Before(t0), "%s starts on the fake clock: %v", s.Name(), s.StartTime())
	require.False(r.t, s.EndTime().After(r.clock.Now()), "%s ends on the fake clock: %v", s.Name(), s.EndTime())
	require.False(r.t, s.EndTime().Before(s.StartTime()), s.Name())
}

// TestPolling follows a change from the poll cycle that found it to its
// delivery, retried once: the spans, their links and the traceparent the
// receiver got, then the metrics with their names, units and attributes.
func TestPolling(t *testing.T) {
	r := newRig(t)
	r.customer(1)
	body := vendortest.WooPollingBody(vendortest.WooInstance{ID: "shop-1", StoreURL: r.woo.URL(), Key: wooKey, Secret: wooSecret,
		CallbackURL: r.recv.URL + "/cb?token=s3cret", SignatureKey: "whsec-otel"})
	_, err := r.eng.Create(t.Context(), "acme", body)
	require.NoError(t, err)
	r.run()
	r.until(5*time.Second, func() bool { return len(r.byName("poll customers")) == 1 }, "no baseline cycle")

	r.recv.answer(http.StatusServiceUnavailable) // the first attempt fails
	r.customer(2)
	r.until(5*time.Minute, func() bool { return len(r.recv.got()) == 2 }, "the notification was not retried and delivered")
	r.until(5*time.Second, func() bool { return len(r.byName("POST")) == 2 }, "the attempts' spans did not end")

	// The cycle that found customer 2, and its vendor requests.
	var cycle sdktrace.ReadOnlySpan
	for _, s := range r.byName("poll customers") {
		r.requireFakeTimes(s)
		a := spanAttrs(s)
		require.Equal(t, "woocommercerest", a["elementevents.element"])
		require.Equal(t, "customers", a["elementevents.resource"])
		require.Equal(t, "shop-1", a["elementevents.instance.id"])
		require.Equal(t, "ok", a["elementevents.outcome"])
		if a["elementevents.events"] == "1" {
			cycle = s
		}
	}
	require.NotNil(t, cycle, "a cycle span reports the event")
	var fetches int
	for _, s := range r.byName("GET") {
		if s.Parent().SpanID() != cycle.SpanContext().SpanID() {
			continue
		}
		fetches++
		r.requireFakeTimes(s)
		require.Equal(t, trace.SpanKindClient, s.SpanKind())
		a := spanAttrs(s)
		require.Equal(t, "GET", a["http.request.method"])
		require.Equal(t, "200", a["http.response.status_code"])
		require.Equal(t, r.woo.URL()+"/wp-json/wc/v3/customers", a["url.full"], "no query: WooCommerce's OAuth 1.0a signs in it")
		require.Equal(t, "127.0.0.1", a["server.address"])
	}
	require.Positive(t, fetches, "the cycle's page fetches are its children")

	// The two attempts: new roots linked to the cycle, the second a resend.
	attempts := r.byName("POST")
	for n, s := range attempts {
		r.requireFakeTimes(s)
		require.Equal(t, trace.SpanKindClient, s.SpanKind())
		require.False(t, s.Parent().IsValid(), "an attempt starts its own trace")
		require.NotEqual(t, cycle.SpanContext().TraceID(), s.SpanContext().TraceID())
		require.Len(t, s.Links(), 1)
		require.Equal(t, cycle.SpanContext().TraceID(), s.Links()[0].SpanContext.TraceID(), "linked to the cycle")
		require.Equal(t, cycle.SpanContext().SpanID(), s.Links()[0].SpanContext.SpanID())
		a := spanAttrs(s)
		require.Equal(t, r.recv.URL+"/cb", a["url.full"], "no query: it may hold a token")
		require.NotEmpty(t, a["elementevents.notification.id"])
		if n == 0 {
			require.NotContains(t, a, "http.request.resend_count")
			require.Equal(t, "503", a["http.response.status_code"])
			require.Equal(t, "retried", a["elementevents.outcome"])
		} else {
			require.Equal(t, "1", a["http.request.resend_count"])
			require.Equal(t, "204", a["http.response.status_code"])
			require.Equal(t, "delivered", a["elementevents.outcome"])
		}
		// The receiver's trace continues the attempt's.
		tp := r.recv.got()[n].Get("Traceparent")
		require.Equal(t, "00-"+s.SpanContext().TraceID().String()+"-"+s.SpanContext().SpanID().String()+"-01", tp)
	}

	// The metrics.
	ms := r.collect()
	for name, unit := range map[string]string{
		"http.client.request.duration": "s", "elementevents.poll.cycle.duration": "s", "elementevents.poll.records": "{record}",
		"elementevents.events": "{event}", "elementevents.notifications": "{attempt}",
		"elementevents.endpoints.disabled": "{endpoint}", "elementevents.instances": "{instance}",
	} {
		_, ok := ms[name]
		require.True(t, ok, "%s is collected", name)
		require.Equal(t, unit, ms[name].Unit, name)
	}
	client := histograms(t, ms["http.client.request.duration"])
	poll := map[string]string{"http.request.method": "GET", "http.response.status_code": "200", "elementevents.operation": "poll",
		"elementevents.element": "woocommercerest", "elementevents.resource": "customers"}
	require.GreaterOrEqual(t, find(t, client, poll), 2.0, "a fetch per cycle at least")
	require.Equal(t, 1.0, find(t, client, map[string]string{"http.request.method": "POST", "http.response.status_code": "503",
		"error.type": "503", "elementevents.operation": "deliver"}))
	require.Equal(t, 1.0, find(t, client, map[string]string{"http.request.method": "POST", "http.response.status_code": "204",
		"elementevents.operation": "deliver"}))
	cycles := histograms(t, ms["elementevents.poll.cycle.duration"])
	require.GreaterOrEqual(t, find(t, cycles, map[string]string{"elementevents.element": "woocommercerest", "elementevents.resource": "customers",
		"elementevents.outcome": "ok"}), 2.0)
	require.GreaterOrEqual(t, find(t, sums(t, ms["elementevents.poll.records"]), map[string]string{"elementevents.element": "woocommercerest",
		"elementevents.resource": "customers"}), 3.0, "1 record at the baseline, 2 after")
	require.Equal(t, 1.0, find(t, sums(t, ms["elementevents.events"]), map[string]string{"elementevents.element": "woocommercerest",
		"elementevents.resource": "customers", "elementevents.source": "polling", "elementevents.event.type": "CREATED"}))
	notes := sums(t, ms["elementevents.notifications"])
	require.Equal(t, 1.0, find(t, notes, map[string]string{"elementevents.outcome": "retried"}))
	require.Equal(t, 1.0, find(t, notes, map[string]string{"elementevents.outcome": "delivered"}))
	require.Equal(t, 1.0, find(t, gauges(t, ms["elementevents.instances"]), map[string]string{"elementevents.instance.state": "polling"}))
	require.Equal(t, 0.0, find(t, gauges(t, ms["elementevents.instances"]), map[string]string{"elementevents.instance.state": "failing"}))
	require.Equal(t, 0.0, find(t, gauges(t, ms["elementevents.endpoints.disabled"]), map[string]string{}))

	// No metric attribute names an instance or carries a query.
	for name, m := range ms {
		var ps []point
		switch {
		case strings.HasSuffix(name, ".duration"):
			ps = histograms(t, m)
		case name == "elementevents.poll.records" || name == "elementevents.events" || name == "elementevents.notifications" || name == "elementevents.webhook.requests":
			ps = sums(t, m)
		default:
			ps = gauges(t, m)
		}
		for _, p := range ps {
			for k, v := range p.attrs {
				require.NotContains(t, v, "shop-1", "%s %s", name, k)
				require.NotContains(t, v, "?", "%s %s", name, k)
				require.NotContains(t, v, "s3cret", "%s %s", name, k)
			}
		}
	}
}

// TestWebhook follows a vendor webhook: a server span with its route
// whose notification's attempt is linked to it, and the request metrics.
func TestWebhook(t *testing.T) {
	r := newRig(t)
	body := []byte(`{"id": "hook-1", "name": "hooked", "element": {"key": "woocommercerest"},
	  "configuration": {"store.url": "` + r.woo.URL() + `", "oauth.api.key": "` + wooKey + `", "oauth.api.secret": "` + wooSecret + `",
	    "webhook.secret": "wc-secret", "event.notification.enabled": "true", "event.vendor.type": "webhook",
	    "event.objects": "customers", "event.notification.callback.url": "` + r.recv.URL + `/cb"}}`)
	_, err := r.eng.Create(t.Context(), "acme", body)
	require.NoError(t, err)
	r.run()

	post := func(payload []byte, signature string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, r.hooks.URL+"/events/woocommercerest/hook-1", bytes.NewReader(payload))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(vendortest.WooHeaderTopic, "customer.updated")
		req.Header.Set(vendortest.WooHeaderSignature, signature)
		resp, err := r.hooks.Client().Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	customer := []byte(`{"id":25,"date_modified_gmt":"2026-12-07T08:59:30"}`)
	require.Equal(t, http.StatusOK, post(customer, vendortest.WooSignature("wc-secret", customer)))
	require.Equal(t, http.StatusUnauthorized, post(customer, vendortest.WooSignature("wrong", customer)))
	r.until(time.Minute, func() bool { return len(r.byName("POST")) == 1 }, "the notification was not delivered")

	const name = "POST /events/{elementKey}/{instanceID}"
	servers := r.byName(name)
	require.Len(t, servers, 2)
	accepted := servers[0]
	r.requireFakeTimes(accepted)
	require.Equal(t, trace.SpanKindServer, accepted.SpanKind())
	a := spanAttrs(accepted)
	require.Equal(t, "/events/{elementKey}/{instanceID}", a["http.route"])
	require.Equal(t, "200", a["http.response.status_code"])
	require.Equal(t, "accepted", a["elementevents.outcome"])
	require.Equal(t, "hook-1", a["elementevents.instance.id"])
	require.Equal(t, "unauthorized", spanAttrs(servers[1])["elementevents.outcome"])

	attempt := r.byName("POST")[0]
	require.Len(t, attempt.Links(), 1)
	require.Equal(t, accepted.SpanContext().SpanID(), attempt.Links()[0].SpanContext.SpanID(), "the attempt is linked to the webhook")

	ms := r.collect()
	require.Equal(t, "s", ms["http.server.request.duration"].Unit)
	server := histograms(t, ms["http.server.request.duration"])
	require.Equal(t, 1.0, find(t, server, map[string]string{"http.request.method": "POST", "http.response.status_code": "200",
		"http.route": "/events/{elementKey}/{instanceID}"}))
	require.Equal(t, 1.0, find(t, server, map[string]string{"http.request.method": "POST", "http.response.status_code": "401",
		"http.route": "/events/{elementKey}/{instanceID}"}))
	requests := sums(t, ms["elementevents.webhook.requests"])
	require.Equal(t, "{request}", ms["elementevents.webhook.requests"].Unit)
	require.Equal(t, 1.0, find(t, requests, map[string]string{"elementevents.outcome": "accepted", "elementevents.element": "woocommercerest"}))
	require.Equal(t, 1.0, find(t, requests, map[string]string{"elementevents.outcome": "unauthorized", "elementevents.element": "woocommercerest"}))
	require.Equal(t, 1.0, find(t, sums(t, ms["elementevents.events"]), map[string]string{"elementevents.element": "woocommercerest",
		"elementevents.source": "webhook", "elementevents.event.type": "UPDATED"}))
	require.Equal(t, 1.0, find(t, gauges(t, ms["elementevents.instances"]), map[string]string{"elementevents.instance.state": "webhook"}))
}
