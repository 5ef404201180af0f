package webhook_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

func TestHandlerWooCommerceTopics(t *testing.T) {
	t.Parallel()
	modified := time.Date(2026, 11, 24, 11, 59, 30, 0, time.UTC)
	const dated = `"date_created_gmt":"2026-11-20T08:00:00","date_modified_gmt":"2026-11-24T11:59:30"`
	tests := []struct {
		topic    string
		body     string
		wantType events.Type
		wantObj  string
		wantID   string
		wantDate time.Time
	}{
		{"customer.created", `{"id":25,` + dated + `,"email":"john@example.com"}`, events.Created, "customers", "25", modified},
		{"customer.updated", `{"id":25,` + dated + `,"billing":{"city":"Paris"}}`, events.Updated, "customers", "25", modified},
		{"customer.deleted", `{"id":25}`, events.Deleted, "customers", "25", handlerT0},
		{"order.created", `{"id":"727",` + dated + `,"line_items":[{"id":1}]}`, events.Created, "orders", "727", modified},
		{"order.updated", `{"id":727,` + dated + `,"status":"completed"}`, events.Updated, "orders", "727", modified},
		{"order.deleted", `{"id":727}`, events.Deleted, "orders", "727", handlerT0},
		{"order.restored", `{"id":727,` + dated + `}`, events.Updated, "orders", "727", modified},
		{"product.created", `{"id":93,` + dated + `}`, events.Created, "products", "93", modified},
		{"product.updated", `{"id":93,` + dated + `}`, events.Updated, "products", "93", modified},
		{"product.deleted", `{"id":93}`, events.Deleted, "products", "93", handlerT0},
		{"product.restored", `{"id":93,` + dated + `}`, events.Updated, "products", "93", modified},
		{"coupon.created", `{"id":719,` + dated + `}`, events.Created, "coupons", "719", modified},
		{"coupon.updated", `{"id":719,` + dated + `}`, events.Updated, "coupons", "719", modified},
		{"coupon.deleted", `{"id":719}`, events.Deleted, "coupons", "719", handlerT0},
		{"coupon.restored", `{"id":719,` + dated + `}`, events.Updated, "coupons", "719", modified},
		{"action.woocommerce_add_to_cart", `{"action":"woocommerce_add_to_cart","arg":"9f61"}`, events.Unknown, "action", "", handlerT0},
		{"order.date_null", `{"id":5,"date_modified_gmt":null}`, events.Unknown, "orders", "5", handlerT0},
		{"customer.updated", `{"id":7,"date_modified_gmt":"not a date"}`, events.Updated, "customers", "7", handlerT0},
	}
	f := setupHandler(t, webhook.Config{}, nil)
	for i, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			t.Parallel()
			r := f.woo(t, "woo-1", tt.topic, handlerWooSecret, "delivery-topics-"+strconv.Itoa(i), []byte(tt.body))
			require.Equal(t, http.StatusOK, r.status, r.body)
			var got *events.Batch
			for _, b := range f.sink.got() {
				if string(b.Raw) == tt.body && b.Events[0].Type == tt.wantType && b.Events[0].ObjectType == tt.wantObj {
					got = &b
				}
			}
			require.NotNil(t, got, "no batch for the body")
			require.Equal(t, events.FromWebhook, got.Source)
			require.Equal(t, events.Instance{ID: "woo-1", Name: "instance woo-1", ElementKey: "woocommercerest", Tags: []string{"test"}}, got.Instance)
			require.Equal(t, events.Endpoint{URL: "https://app.example/callback", Key: []byte("notify-key")}, got.Endpoint)
			require.Len(t, got.Events, 1)
			ev := got.Events[0]
			require.Equal(t, events.Event{
				ID:         events.NewID("woo-1", tt.wantObj, tt.wantID, tt.wantType, tt.wantDate),
				Type:       tt.wantType,
				ObjectType: tt.wantObj,
				ObjectID:   tt.wantID,
				ElementKey: "woocommercerest",
				HubKey:     "ecommerce",
				Date:       tt.wantDate,
				Raw:        json.RawMessage(tt.body),
			}, ev)
		})
	}
}

func TestHandlerWooCommercePing(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	form := "application/x-www-form-urlencoded"
	for _, id := range []string{"woo-1", "woo-open"} {
		r := f.do(t, http.MethodPost, "/events/woocommercerest/"+id, []byte("webhook_id=15"), "Content-Type", form)
		require.Equal(t, http.StatusOK, r.status, r.body)
	}
	// Not a ping: a topic header, a signature, or no webhook_id.
	r := f.do(t, http.MethodPost, "/events/woocommercerest/woo-1", []byte("webhook_id=15"),
		"Content-Type", form, vendortest.WooHeaderTopic, "customer.updated")
	require.Equal(t, http.StatusUnauthorized, r.status)
	r = f.do(t, http.MethodPost, "/events/woocommercerest/woo-1", []byte("webhook_id=15"),
		"Content-Type", form, vendortest.WooHeaderSignature, vendortest.WooSignature("wrong", []byte("webhook_id=15")))
	require.Equal(t, http.StatusUnauthorized, r.status)
	r = f.do(t, http.MethodPost, "/events/woocommercerest/woo-1", []byte("hello=15"), "Content-Type", form)
	require.Equal(t, http.StatusUnauthorized, r.status)
	// A ping for an unknown or disabled instance fails, so the store
	// shows the error when the webhook is created.
	r = f.do(t, http.MethodPost, "/events/woocommercerest/nope", []byte("webhook_id=15"), "Content-Type", form)
	require.Equal(t, http.StatusNotFound, r.status)
	r = f.do(t, http.MethodPost, "/events/woocommercerest/woo-off", []byte("webhook_id=15"), "Content-Type", form)
	require.Equal(t, http.StatusNotFound, r.status)
	require.Empty(t, f.sink.got(), "a ping yields no events")
}

func TestHandlerAnswers(t *testing.T) {
	t.Parallel()
	customer := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	tests := []struct {
		name       string
		method     string
		path       string
		body       []byte
		headers    []string
		wantStatus int
		wantBody   string
		wantAllow  string
		wantEvents int
	}{
		{"signed", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, customer)},
			http.StatusOK, "ok", "", 1},
		{"wrong signature", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature("other secret", customer)},
			http.StatusUnauthorized, "signature does not verify", "", 0},
		{"signature of another body", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, []byte(`{"id":26}`))},
			http.StatusUnauthorized, "signature does not verify", "", 0},
		{"missing signature", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusUnauthorized, "missing signature", "", 0},
		{"malformed signature", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, "not base64!"},
			http.StatusUnauthorized, "malformed signature", "", 0},
		{"hex signature where base64 is expected", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, handlerHexMAC(handlerWooSecret, customer)},
			http.StatusUnauthorized, "malformed signature", "", 0},
		{"no secret configured", http.MethodPost, "/events/woocommercerest/woo-open", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusOK, "ok", "", 1},
		{"unknown instance", http.MethodPost, "/events/woocommercerest/woo-404", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusNotFound, "unknown instance", "", 0},
		{"instance of another element", http.MethodPost, "/events/concur/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, customer)},
			http.StatusNotFound, "unknown instance", "", 0},
		{"events disabled", http.MethodPost, "/events/woocommercerest/woo-off", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, customer)},
			http.StatusNotFound, "events are disabled for this instance", "", 0},
		{"GET to a POST-only element", http.MethodGet, "/events/woocommercerest/woo-1", nil, nil,
			http.StatusMethodNotAllowed, "method not allowed", "POST", 0},
		{"DELETE to the generic element", http.MethodDelete, "/events/generic/gen-1", nil, nil,
			http.StatusMethodNotAllowed, "method not allowed", "POST, PUT", 0},
		{"PUT to the generic element", http.MethodPut, "/events/generic/gen-1", []byte(`{"objectType":"contacts","objectId":1,"eventType":"update"}`), nil,
			http.StatusOK, "ok", "", 1},
		{"bad JSON", http.MethodPost, "/events/woocommercerest/woo-1", []byte(`{"id":25,`),
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, []byte(`{"id":25,`))},
			http.StatusBadRequest, "body is not valid JSON: unexpected end of JSON input", "", 0},
		{"empty body", http.MethodPost, "/events/woocommercerest/woo-open", nil,
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusBadRequest, "empty body", "", 0},
		{"JSON that is not an object", http.MethodPost, "/events/woocommercerest/woo-open", []byte(`"hello"`),
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusBadRequest, "body is not a JSON object", "", 0},
		{"id that is an object", http.MethodPost, "/events/woocommercerest/woo-open", []byte(`{"id":{"n":1}}`),
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusBadRequest, "id is an object or an array, want a string or a number", "", 0},
		{"no topic", http.MethodPost, "/events/woocommercerest/woo-open", customer, nil,
			http.StatusBadRequest, "no object type (no X-WC-Webhook-Topic header)", "", 0},
		{"no instance named", http.MethodPost, "/hooks", customer, nil,
			http.StatusNotFound, "no instance named in the path or the Element-Instances header", "", 0},
	}
	f := setupHandler(t, webhook.Config{}, func(h http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/events/{elementKey}/{instanceID}", h)
		mux.Handle("/hooks", h)
		return mux
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.sink.got())
			r := f.do(t, tt.method, tt.path, tt.body, tt.headers...)
			require.Equal(t, tt.wantStatus, r.status, r.body)
			require.Equal(t, tt.wantBody, r.body)
			require.Equal(t, tt.wantAllow, r.header.Get("Allow"))
			if tt.wantStatus >= 400 {
				require.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
				require.NotContains(t, r.body, handlerWooSecret)
			}
			got := f.sink.got()[before:]
			n := 0
			for _, b := range got {
				n += len(b.Events)
			}
			require.Equal(t, tt.wantEvents, n)
		})
	}
}

func TestHandlerTooLarge(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{MaxBodyBytes: 64}, nil)
	small := []byte(`{"id":1}`)
	big := []byte(`{"id":1,"note":"` + strings.Repeat("x", 100) + `"}`)
	r := f.woo(t, "woo-open", "customer.updated", "", "", small)
	require.Equal(t, http.StatusOK, r.status, r.body)

	// With a Content-Length, refused before reading.
	r = f.woo(t, "woo-open", "customer.updated", "", "", big)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	require.Equal(t, "body larger than 64 bytes", r.body)

	// Chunked, refused once the limit is crossed.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL+"/events/woocommercerest/woo-open",
		io.MultiReader(bytes.NewReader(big[:50]), bytes.NewReader(big[50:])))
	require.NoError(t, err)
	req.ContentLength = -1
	req.Header.Set(vendortest.WooHeaderTopic, "customer.updated")
	r = f.send(t, req)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	require.Len(t, f.sink.got(), 1)

	// A request built in process whose Content-Length understates its
	// body (a server would stop at that length) is still bounded, and
	// read no further than one byte past the limit.
	body := &countingReader{r: bytes.NewReader(big)}
	req = httptest.NewRequest(http.MethodPost, "/events/woocommercerest/woo-open", body)
	req.ContentLength = int64(len(small))
	req.SetPathValue("elementKey", "woocommercerest")
	req.SetPathValue("instanceID", "woo-open")
	req.Header.Set(vendortest.WooHeaderTopic, "customer.updated")
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	require.Equal(t, http.StatusRequestEntityTooLarge, w.Code, w.Body.String())
	require.Equal(t, 65, body.n)
	require.Len(t, f.sink.got(), 1)

	// The default is 1 MiB. In process: a client may not see the answer
	// to a body the server stops reading this early.
	d := setupHandler(t, webhook.Config{}, nil)
	for _, size := range []int{webhook.DefaultMaxBodyBytes - 20, webhook.DefaultMaxBodyBytes + 1} {
		body := []byte(`{"id":1,"note":"` + strings.Repeat("x", size-18) + `"}`)
		require.Len(t, body, size)
		req := httptest.NewRequest(http.MethodPost, "/events/woocommercerest/woo-open", bytes.NewReader(body))
		req.SetPathValue("elementKey", "woocommercerest")
		req.SetPathValue("instanceID", "woo-open")
		req.Header.Set(vendortest.WooHeaderTopic, "customer.updated")
		if size%2 == 1 {
			req.ContentLength = -1 // read, not refused on its announced length
		}
		w := httptest.NewRecorder()
		d.h.ServeHTTP(w, req)
		want := http.StatusOK
		if size > webhook.DefaultMaxBodyBytes {
			want = http.StatusRequestEntityTooLarge
		}
		require.Equal(t, want, w.Code, w.Body.String())
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
