package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/signature"
)

// checkNormalized holds the normalizer's results to its contract.
func checkNormalized(t *testing.T, n *normalizer, evs []events.Event, raw json.RawMessage, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrBadBody) {
			t.Fatalf("error %v does not wrap ErrBadBody", err)
		}
		if len(badBodyReason(err)) > 203 {
			t.Fatalf("reason too long: %q", badBodyReason(err))
		}
		return
	}
	if len(evs) > 0 && !json.Valid(raw) {
		t.Fatalf("raw %q is not JSON", raw)
	}
	for _, e := range evs {
		switch {
		case e.ObjectType == "":
			t.Fatalf("event without an object type: %+v", e)
		case e.Type != events.Created && e.Type != events.Updated && e.Type != events.Deleted && e.Type != events.Unknown:
			t.Fatalf("event type %q", e.Type)
		case !json.Valid(e.Raw):
			t.Fatalf("event raw %q is not JSON", e.Raw)
		case e.ID != events.NewID(n.instanceID, e.ObjectType, e.ObjectID, e.Type, e.Date):
			t.Fatalf("event id %s is not its NewID", e.ID)
		case e.Date.Location() != time.UTC:
			t.Fatalf("date %v is not UTC", e.Date)
		}
	}
}

func FuzzHandlerNormalizeWooCommerce(f *testing.F) {
	f.Add([]byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30","email":"a@example.com"}`), "customer.updated")
	f.Add([]byte(`{"id":"727"}`), "order.deleted")
	f.Add([]byte(`{"action":"woocommerce_add_to_cart","arg":"x"}`), "action.woocommerce_add_to_cart")
	f.Add([]byte(`[{"id":1},{"id":[2]}]`), "coupon.restored")
	f.Add([]byte(`{"id":1,"date_modified_gmt":"2026-02-30T25:61:61"}`), "product")
	f.Add([]byte(`{"\u0069d":1e400,"date_modified_gmt":null}`), ".")
	f.Add([]byte("[]\v"), "0") // bytes.TrimSpace trims \v; JSON does not
	def, _ := element.Default().Lookup("woocommercerest")
	n, err := newNormalizer("inst", def)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, topic string) {
		evs, raw, err := n.normalize(payload{body: body}, topic, now)
		checkNormalized(t, n, evs, raw, err)
		if err == nil && !json.Valid(body) {
			t.Fatalf("accepted a body that is not JSON: %q", body)
		}
	})
}

func FuzzHandlerNormalizeGeneric(f *testing.F) {
	f.Add([]byte(`{"objectType":"contacts","objectId":5,"eventType":"update","date":"2026-11-24T09:00:00Z"}`), false, false)
	f.Add([]byte(`[{"objectType":"a"},{"objectType":"b","eventType":"DELETED"}]`), false, false)
	f.Add([]byte(`objectType=contacts&objectId=5&eventType=delete&date=x`), true, false)
	f.Add([]byte(`{"payload":{"items":[{"meta":{"type":"person","op":"ins","at":"2026-11-24 10:00:00"},"record":{"key":{"id":1}}}]}}`), false, true)
	f.Add([]byte(`{"payload":{"items":[{"meta":{"type":{}}}]}}`), false, true)
	generic, _ := element.Default().Lookup("generic")
	nested, err := element.ParseDefinition([]byte(normNested))
	if err != nil {
		f.Fatal(err)
	}
	ng, err := newNormalizer("inst", generic)
	if err != nil {
		f.Fatal(err)
	}
	nn, err := newNormalizer("inst", nested)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, form, useNested bool) {
		n := ng
		if useNested {
			n = nn
		}
		in := payload{body: body}
		if form {
			vals, err := url.ParseQuery(string(body))
			if err != nil {
				return
			}
			in.form = flatten(vals)
		}
		evs, raw, err := n.normalize(in, "", now)
		checkNormalized(t, n, evs, raw, err)
		if err == nil && form && len(evs) != 1 {
			t.Fatalf("a form is one change, got %d", len(evs))
		}
	})
}

// fuzzSecret signs the WooCommerce and hex instances of FuzzHandlerServeHTTP.
const fuzzSecret = "fuzz-secret"

// FuzzHandlerServeHTTP sends arbitrary requests, twice each, to a Handler
// with instances of every signature scheme. It must not panic, must answer
// one of its documented statuses, must publish only well-formed batches,
// and must not publish the second copy of a request it accepted.
func FuzzHandlerServeHTTP(f *testing.F) {
	customer := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	f.Add("POST", "woocommercerest", "woo", true, "application/json", "customer.updated", uint8(1), "d-1", customer)
	f.Add("POST", "woocommercerest", "woo-open", true, "", "order.deleted", uint8(0), "", []byte(`{"id":1}`))
	f.Add("POST", "woocommercerest", "woo", true, "application/x-www-form-urlencoded", "", uint8(0), "", []byte(`webhook_id=3`))
	f.Add("POST", "generic", "gen", true, "application/x-www-form-urlencoded", "", uint8(0), "", []byte(`objectType=a&objectId=1`))
	f.Add("PUT", "generic", "gen", false, "application/json", "", uint8(0), "", []byte(`[{"objectType":"a"},{"objectType":"a"}]`))
	f.Add("GET", "hexvendor", "hex", true, "", "", uint8(2), "", []byte(`kind=contact&object.id=1`))
	f.Add("POST", "hexvendor", "hex", true, "application/json", "", uint8(2), "", []byte(`{"data":{"changes":[{"kind":"contact","object":{"id":7}}]}}`))
	f.Add("POST", "stdvendor", "std", true, "application/json", "", uint8(3), "", []byte(`{"type":"invoice","data":{"id":"in_1"}}`))
	f.Add("DELETE", "woocommercerest", "woo", true, "", "", uint8(4), "", []byte(nil))
	f.Add("POST", "woocommercerest", "d29v", false, "", "customer.created", uint8(4), "x", []byte(`{"id":`))

	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	var published int
	sink := events.SinkFunc(func(_ context.Context, b events.Batch) error {
		mu.Lock()
		published++
		mu.Unlock()
		if len(b.Events) == 0 || !json.Valid(b.Raw) || b.Source != events.FromWebhook || b.Instance.ID == "" {
			return errors.New("malformed batch")
		}
		for _, e := range b.Events {
			if e.ObjectType == "" || !json.Valid(e.Raw) || e.ID == "" {
				return errors.New("malformed event")
			}
		}
		return nil
	})
	stdKey := []byte("fuzz standard key")
	// cat holds the test vendors and the built-in elements.
	cat := &element.Catalogue{}
	for _, d := range element.Builtins() {
		if err := cat.Register(d); err != nil {
			f.Fatal(err)
		}
	}
	inst := func(id, key string, secret string) *element.Instance {
		js, _ := json.Marshal(map[string]any{"id": id, "element": map[string]string{"key": key}, "configuration": map[string]any{
			"event.notification.enabled": true, "event.vendor.type": "webhook", "event.notification.callback.url": "https://app.example/cb", "webhook.secret": secret,
		}})
		i, err := cat.Parse(js)
		if err != nil {
			f.Fatal(err)
		}
		return i
	}
	for _, js := range []string{normNested, `{"key": "hexvendor", "hub": "crm", "baseUrl": "https://x.example",
		"webhook": {"signatureScheme": "hmac-sha256", "signatureHeader": "X-Hex-Signature", "signatureEncoding": "hex",
			"signaturePrefix": "sha256=", "secretKey": "webhook.secret", "changesPath": "data.changes",
			"objectTypePath": "kind", "objectIdPath": "object.id", "methods": ["POST", "GET"], "formEncoded": true}}`,
		`{"key": "stdvendor", "hub": "general", "baseUrl": "https://x.example",
		"webhook": {"signatureScheme": "standard-webhooks", "secretKey": "webhook.secret", "objectTypePath": "type", "objectIdPath": "data.id"}}`} {
		def, err := element.ParseDefinition([]byte(js))
		if err != nil {
			f.Fatal(err)
		}
		if err := cat.Register(def); err != nil {
			f.Fatal(err)
		}
	}
	h, err := New(Config{
		Instances: []*element.Instance{
			inst("woo", "woocommercerest", fuzzSecret), inst("woo-open", "woocommercerest", ""),
			inst("gen", "generic", ""), inst("nested", "nested", ""),
			inst("hex", "hexvendor", fuzzSecret), inst("std", "stdvendor", "whsec_"+base64.StdEncoding.EncodeToString(stdKey)),
		},
		Sink:         sink,
		Clock:        clock,
		Logger:       slog.New(slog.DiscardHandler),
		MaxBodyBytes: 4 << 10,
		DedupeTTL:    time.Minute,
		Definition: func(key string) (*element.Definition, bool) {
			if d, ok := cat.Lookup(key); ok {
				return d, true
			}
			return element.Default().Lookup(key)
		},
	})
	if err != nil {
		f.Fatal(err)
	}
	signer, err := signature.NewSigner(stdKey)
	if err != nil {
		f.Fatal(err)
	}
	allowed := map[int]bool{200: true, 400: true, 401: true, 404: true, 405: true, 413: true}

	f.Fuzz(func(t *testing.T, method, elementKey, instanceID string, inPath bool, contentType, topic string, sigMode uint8, delivery string, body []byte) {
		// Forget the previous input's deliveries.
		clock.Advance(2 * time.Minute)
		payloadBytes := body
		if method == http.MethodGet {
			payloadBytes = []byte(url.Values{"q": {string(body)}}.Encode())
		}
		build := func() *http.Request {
			req := &http.Request{
				Method:        method,
				URL:           &url.URL{Path: "/events/" + elementKey + "/" + instanceID},
				Header:        http.Header{},
				Body:          io.NopCloser(bytes.NewReader(body)),
				ContentLength: int64(len(body)),
			}
			req = req.WithContext(t.Context())
			if method == http.MethodGet {
				req.URL.RawQuery = string(payloadBytes)
			}
			if inPath {
				req.SetPathValue("elementKey", elementKey)
				req.SetPathValue("instanceID", instanceID)
			} else {
				req.URL.Path = "/hooks"
				req.Header.Set(HeaderElementInstances, instanceID)
			}
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			if topic != "" {
				req.Header.Set("X-WC-Webhook-Topic", topic)
			}
			if delivery != "" {
				req.Header.Set("X-WC-Webhook-Delivery-ID", delivery)
			}
			mac := hmac.New(sha256.New, []byte(fuzzSecret))
			mac.Write(payloadBytes)
			switch sigMode % 5 {
			case 1:
				req.Header.Set("X-WC-Webhook-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
			case 2:
				req.Header.Set("X-Hex-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
			case 3:
				signer.SetHeaders(req.Header, "msg_"+delivery, clock.Now(), payloadBytes)
			case 4:
				req.Header.Set("X-WC-Webhook-Signature", topic)
				req.Header.Set("X-Hex-Signature", topic)
				req.Header.Set("Webhook-Signature", topic)
			}
			return req
		}
		mu.Lock()
		before := published
		mu.Unlock()
		first := httptest.NewRecorder()
		h.ServeHTTP(first, build())
		mu.Lock()
		afterFirst := published
		mu.Unlock()
		if !allowed[first.Code] {
			t.Fatalf("status %d: %s", first.Code, first.Body)
		}
		if first.Code == http.StatusOK && afterFirst > before+1 {
			t.Fatalf("%d batches for one request", afterFirst-before)
		}
		second := httptest.NewRecorder()
		h.ServeHTTP(second, build())
		if second.Code != first.Code {
			t.Fatalf("the same request answered %d, then %d: %s", first.Code, second.Code, second.Body)
		}
		mu.Lock()
		afterSecond := published
		mu.Unlock()
		if first.Code == http.StatusOK && afterSecond != afterFirst {
			t.Fatalf("a repeated delivery was published again")
		}
		if first.Code >= 400 && bytes.Contains(first.Body.Bytes(), []byte(fuzzSecret)) {
			t.Fatalf("the answer holds the secret: %s", first.Body)
		}
	})
}
