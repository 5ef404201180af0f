package webhook_test

// TestBadInput runs the Handler's catalogue of hostile deliveries: the
// files in testdata/bad (see its README.md) and, below, the cases whose
// inputs are too large or not UTF-8 for a file.

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/internal/casefile"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

const (
	badWooSecret = "wc-bad-input-secret"  // webhook.secret of instance woo-1
	badStdSecret = "std-bad-input-secret" // webhook.secret of instance std-1
)

var badSuite = &casefile.Suite{
	Settings: []string{"method", "path", "sign", "sign.id", "sign.timestamp", "via", "max-body-bytes"},
	Files:    []string{"body", "headers"},
	Is: map[string]error{
		"webhook.ErrUnknownInstance":   webhook.ErrUnknownInstance,
		"webhook.ErrEventsDisabled":    webhook.ErrEventsDisabled,
		"webhook.ErrBadSignature":      webhook.ErrBadSignature,
		"webhook.ErrBadBody":           webhook.ErrBadBody,
		"webhook.ErrTooLarge":          webhook.ErrTooLarge,
		"signature.ErrMissingHeader":   signature.ErrMissingHeader,
		"signature.ErrMalformedHeader": signature.ErrMalformedHeader,
		"signature.ErrNoMatch":         signature.ErrNoMatch,
		"signature.ErrTooOld":          signature.ErrTooOld,
		"signature.ErrTooNew":          signature.ErrTooNew,
	},
	Secrets: []string{badWooSecret, badStdSecret},
}

// badInputsInGo are the cases whose inputs a file cannot hold.
func badInputsInGo() []*casefile.Case {
	const (
		topic  = "X-WC-Webhook-Topic: customer.updated"
		signed = `{"id": 42, "date_modified_gmt": "2026-11-24T11:00:00"}`
		mb10   = 10 << 20
	)
	woo := map[string]string{"sign": "woo"}
	in := func(headers, body string) map[string][]byte {
		return map[string][]byte{"headers": []byte(headers), "body": []byte(body)}
	}
	badBody := casefile.Want{Status: http.StatusBadRequest, Is: []error{webhook.ErrBadBody}, Events: new(0)}
	tooLarge := casefile.Want{Status: http.StatusRequestEntityTooLarge, Is: []error{webhook.ErrTooLarge}, Events: new(0)}
	change := func(n int) string {
		return `{"objectType":"c","objectId":"` + strconv.Itoa(n) + `","eventType":"updated"}`
	}
	return []*casefile.Case{{
		Name: "bom", Why: "a byte order mark before a signed JSON body", Set: woo,
		Files: in(topic, "\ufeff"+`{"id":42,"date_modified_gmt":"2026-11-24T11:00:00"}`),
		Want:  badBody,
	}, {
		Name: "deep-nesting", Why: "a signed body of 100,000 nested arrays", Set: woo,
		Files: in(topic, `{"id":1,"x":`+strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)+"}"),
		Want:  badBody,
	}, {
		Name:  "generic-many-changes",
		Why:   "an unsigned body of 15,000 changes (840 kB) in one array: all read in linear time",
		Set:   map[string]string{"path": "/events/generic/gen-1"},
		Files: map[string][]byte{"body": []byte("[" + strings.Repeat(change(1)+",", 14_999) + change(2) + "]")},
		Want:  casefile.Want{Status: http.StatusOK, Events: new(15_000)},
	}, {
		Name: "invalid-utf8-id", Why: "invalid UTF-8 inside a string id: decoded as encoding/json does, each bad byte U+FFFD", Set: woo,
		Files: in(topic, `{"id":"ab`+"\xff\xfe"+`cd","date_modified_gmt":"2026-11-24T11:00:00"}`),
		Want:  casefile.Want{Status: http.StatusOK, Events: new(1), Value: new("ab\uFFFD\uFFFDcd")},
	}, {
		Name: "nul-in-body", Why: "a raw NUL byte between members of a signed body", Set: woo,
		Files: in(topic, `{"id":42,`+"\x00"+`"date_modified_gmt":"2026-11-24T11:00:00"}`),
		Want:  badBody,
	}, {
		Name: "oversized-body", Why: "a signed body one byte over the 1 MiB limit, with its Content-Length", Set: woo,
		Files: in(topic, `{"id":1,"pad":"`+strings.Repeat("x", 1_048_560)+`"}`),
		Want:  tooLarge,
	}, {
		Name:  "oversized-chunked",
		Why:   "a 2 MiB chunked body with no Content-Length, over loopback: MaxBytesReader stops it at 1 MiB",
		Set:   map[string]string{"via": "chunked"},
		Files: in(topic+"\nX-WC-Webhook-Signature: AAAA", `{"id":1,"pad":"`+strings.Repeat("x", 2<<20)+`"}`),
		Want:  tooLarge,
	}, {
		Name: "ten-mb-delivery-id",
		Why:  "a 10 MB delivery id on a signed body: deduplication keeps a hash, the delivery is accepted",
		Set:  woo, Files: in(topic+"\nX-WC-Webhook-Delivery-ID: "+strings.Repeat("d", mb10), signed),
		Want: casefile.Want{Status: http.StatusOK, Events: new(1)},
	}, {
		Name: "ten-mb-element-instances", Why: "a 10 MB Element-Instances header naming no instance",
		Set:   map[string]string{"path": "/hooks"},
		Files: in("Element-Instances: "+strings.Repeat("9", mb10), `{"objectId": "1"}`),
		Want:  casefile.Want{Status: http.StatusNotFound, Events: new(0)},
	}, {
		Name:  "ten-mb-header-server",
		Why:   "a 10 MB header over loopback: the standard server refuses it with 431 before the handler runs, and leaves no goroutine",
		Set:   map[string]string{"via": "server"},
		Files: in(topic+"\nX-Padding: "+strings.Repeat("p", mb10), `{"id": 42}`),
		Want:  casefile.Want{Status: http.StatusRequestHeaderFieldsTooLarge, Events: new(0)},
	}, {
		Name: "ten-mb-signature", Why: "a 10 MB signature header",
		Files: in(topic+"\nX-WC-Webhook-Signature: "+strings.Repeat("A", mb10), signed),
		Want:  casefile.Want{Status: http.StatusUnauthorized, Is: []error{webhook.ErrBadSignature}, Events: new(0)},
	}, {
		Name: "ten-mb-topic",
		Why:  "a 10 MB topic header on a signed body (WooCommerce does not sign its headers): refused, not turned into a 10 MB object type",
		Set:  woo, Files: in("X-WC-Webhook-Topic: "+strings.Repeat("a", mb10)+".updated", signed),
		Want: casefile.Want{Status: http.StatusBadRequest, Events: new(0)},
	}}
}

// TestBadInput sends a case's request to a Handler serving badInstances,
// mounted at /events/{elementKey}/{instanceID} and at /. The errors
// checked are those it logs; the value is the first published event's
// object id.
func TestBadInput(t *testing.T) {
	badSuite.Run(t, badInputsInGo(), runBadHandler)
}

func runBadHandler(t *testing.T, c *casefile.Case) casefile.Outcome {
	logs := &casefile.LogCapture{}
	sink := &eventstest.Recorder{}
	catalogue := badCatalogue(t)
	cfg := webhook.Config{
		Instances: badInstances(t, catalogue), Sink: sink, Logger: logs.Logger(),
		Clock:      clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)),
		Definition: catalogue.Lookup,
	}
	if s := c.Setting("max-body-bytes", ""); s != "" {
		n, err := strconv.ParseInt(s, 0, 64)
		require.NoError(t, err)
		cfg.MaxBodyBytes = n
	}
	h, err := webhook.New(cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/events/{elementKey}/{instanceID}", h)
	mux.Handle("/", h)

	req := c.Request(t, "/events/woocommercerest/woo-1")
	body := c.Files["body"]
	switch sign := c.Setting("sign", "none"); sign {
	case "none":
	case "woo":
		req.Header.Set(vendortest.WooHeaderSignature, vendortest.WooSignature(badWooSecret, body))
	case "std":
		casefile.SignStandard(req.Header, []byte(badStdSecret), c.Setting("sign.id", "msg_bad_input"),
			c.Setting("sign.timestamp", strconv.FormatInt(cfg.Clock.Now().Unix(), 10)), body)
	default:
		t.Fatalf("sign: %q: want none, woo or std", sign)
	}
	c.SetHeaders(t, req.Header)
	out := c.Serve(t, mux, req)
	out.Logged, out.Logs = logs.Errors(), logs.Lines()
	evs := sink.Events()
	out.Events = len(evs)
	if len(evs) > 0 {
		out.Value = new(evs[0].ObjectID)
	}
	return out
}

// badCatalogue adds stdvendor, a vendor signing its webhooks in the
// Standard Webhooks scheme, to the built-in elements.
func badCatalogue(t *testing.T) *element.Catalogue {
	c := &element.Catalogue{}
	def, err := element.ParseDefinition([]byte(`{
		"key": "stdvendor", "hub": "general", "baseUrl": "https://api.std.example",
		"webhook": {"signatureScheme": "standard-webhooks", "secretKey": "webhook.secret",
			"objectTypePath": "type", "objectIdPath": "data.id", "eventTypePath": "event",
			"datePath": "timestamp", "dateFormat": "milliseconds"}}`))
	require.NoError(t, err)
	require.NoError(t, c.Register(def))
	for _, d := range element.Builtins() {
		require.NoError(t, c.Register(d))
	}
	return c
}

// badInstances are the instances the cases reach: woo-1 (WooCommerce,
// signed), gen-1 (generic, unsigned), std-1 (stdvendor) and off-1
// (WooCommerce, events disabled).
func badInstances(t *testing.T, catalogue *element.Catalogue) []*element.Instance {
	mk := func(id, key string, enabled bool, secret string) *element.Instance {
		config := map[string]any{
			"event.notification.enabled":      enabled,
			"event.vendor.type":               "webhook",
			"event.notification.callback.url": "https://app.example/callback",
		}
		if secret != "" {
			config["webhook.secret"] = secret
		}
		body, err := json.Marshal(map[string]any{"id": id, "name": id, "element": map[string]string{"key": key}, "configuration": config})
		require.NoError(t, err)
		inst, err := catalogue.Parse(body)
		require.NoError(t, err)
		return inst
	}
	return []*element.Instance{
		mk("woo-1", "woocommercerest", true, badWooSecret),
		mk("gen-1", "generic", true, ""),
		mk("std-1", "stdvendor", true, badStdSecret),
		mk("off-1", "woocommercerest", false, badWooSecret),
	}
}
