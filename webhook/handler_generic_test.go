package webhook_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/webhook"
)

func TestHandlerGenericSignatures(t *testing.T) {
	t.Parallel()
	one := []byte(`{"data":{"changes":[{"kind":"contact","object":{"id":7},"action":"edit","at":"2026-11-24T10:00:00+01:00"}]}}`)
	b64 := []byte(`{"type":"deal","id":42,"event":"CREATED","ts":1795521600000}`)
	tests := []struct {
		name       string
		path       string
		body       []byte
		header     string
		value      string
		wantStatus int
	}{
		{"hex with prefix", "/events/hexvendor/hex-1", one, "X-Hex-Signature", "sha256=" + handlerHexMAC(handlerHexSecret, one), http.StatusOK},
		{"hex upper-case prefix", "/events/hexvendor/hex-1", one, "X-Hex-Signature", "SHA256=" + handlerHexMAC(handlerHexSecret, one), http.StatusOK},
		{"hex without prefix", "/events/hexvendor/hex-1", one, "X-Hex-Signature", handlerHexMAC(handlerHexSecret, one), http.StatusOK},
		{"hex upper-case digits", "/events/hexvendor/hex-1", one, "X-Hex-Signature", strings.ToUpper(handlerHexMAC(handlerHexSecret, one)), http.StatusOK},
		{"hex wrong key", "/events/hexvendor/hex-1", one, "X-Hex-Signature", "sha256=" + handlerHexMAC("nope", one), http.StatusUnauthorized},
		{"hex other algorithm", "/events/hexvendor/hex-1", one, "X-Hex-Signature", "sha1=" + handlerHexMAC(handlerHexSecret, one), http.StatusUnauthorized},
		{"base64 without prefix", "/events/b64vendor/b64-1", b64, "X-B64-Signature", handlerB64MAC(handlerB64Secret, b64), http.StatusOK},
		{"base64 with prefix", "/events/b64vendor/b64-1", b64, "X-B64-Signature", "sha256=" + handlerB64MAC(handlerB64Secret, b64), http.StatusOK},
		{"base64 URL-safe", "/events/b64vendor/b64-1", b64, "X-B64-Signature", base64.URLEncoding.EncodeToString(handlerMAC(handlerB64Secret, b64)), http.StatusOK},
		{"base64 wrong key", "/events/b64vendor/b64-1", b64, "X-B64-Signature", handlerB64MAC("nope", b64), http.StatusUnauthorized},
	}
	f := setupHandler(t, webhook.Config{DedupeTTL: -1}, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, http.MethodPost, tt.path, tt.body, tt.header, tt.value)
			require.Equal(t, tt.wantStatus, r.status, r.body)
		})
	}

	// Key rotation on the sender's side: any value of the header may match.
	r := f.do(t, http.MethodPost, "/events/b64vendor/b64-1", b64,
		"X-B64-Signature", handlerB64MAC("old", b64), "X-B64-Signature", handlerB64MAC(handlerB64Secret, b64))
	require.Equal(t, http.StatusOK, r.status, r.body)

	var deal *events.Event
	for _, b := range f.sink.got() {
		if b.Events[0].ObjectType == "deal" {
			deal = &b.Events[0]
		}
	}
	require.NotNil(t, deal)
	require.Equal(t, events.Created, deal.Type)
	require.Equal(t, "42", deal.ObjectID)
	require.Equal(t, time.UnixMilli(1795521600000).UTC(), deal.Date)
	require.Equal(t, "crm", deal.HubKey)
}

func TestHandlerStandardWebhooks(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	body := []byte(`{"type":"invoice","event":"UPDATED","data":{"id":"in_1"}}`)
	signer, err := signature.NewSigner(handlerStdKey)
	require.NoError(t, err)
	post := func(id string, at time.Time, payload []byte) handlerReply {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL+"/events/stdvendor/std-1", bytes.NewReader(payload))
		require.NoError(t, err)
		signer.SetHeaders(req.Header, id, at, body)
		return f.send(t, req)
	}
	r := post("msg_1", handlerT0, body)
	require.Equal(t, http.StatusOK, r.status, r.body)
	got := f.sink.got()
	require.Len(t, got, 1)
	require.Equal(t, "invoice", got[0].Events[0].ObjectType)
	require.Equal(t, "in_1", got[0].Events[0].ObjectID)
	require.Equal(t, events.Updated, got[0].Events[0].Type)

	r = post("msg_2", handlerT0, []byte(`{"type":"invoice","event":"DELETED","data":{"id":"in_1"}}`))
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "signature does not verify", r.body)
	r = post("msg_3", handlerT0.Add(-time.Hour), body)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "signature timestamp outside the tolerance", r.body)
	r = f.do(t, http.MethodPost, "/events/stdvendor/std-1", body)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "missing signature", r.body)
	require.Len(t, f.sink.got(), 1)
}

func TestHandlerGenericBodies(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{DedupeTTL: -1}, nil)
	hexPost := func(t *testing.T, body []byte, headers ...string) handlerReply {
		return f.do(t, http.MethodPost, "/events/hexvendor/hex-1", body,
			append([]string{"X-Hex-Signature", "sha256=" + handlerHexMAC(handlerHexSecret, body)}, headers...)...)
	}
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	t.Run("array of changes", func(t *testing.T) {
		body := []byte(`{"data":{"changes":[
			{"kind":"contact","object":{"id":1},"action":"add","at":"2026-11-24T10:00:00+01:00"},
			{"kind":"contact","object":{"id":"2"},"action":"remove","at":"2026-11-24T09:00:00Z"},
			{"kind":"lead","object":{"id":3},"action":"archive"}]}, "meta": {"page": 1}}`)
		r := hexPost(t, body)
		require.Equal(t, http.StatusOK, r.status, r.body)
		b := f.sink.got()[len(f.sink.got())-1]
		require.JSONEq(t, string(body), string(b.Raw))
		require.Len(t, b.Events, 3)
		require.Equal(t, []string{"contacts", "contacts", "lead"}, []string{b.Events[0].ObjectType, b.Events[1].ObjectType, b.Events[2].ObjectType})
		require.Equal(t, []events.Type{events.Created, events.Deleted, events.Unknown}, []events.Type{b.Events[0].Type, b.Events[1].Type, b.Events[2].Type})
		require.Equal(t, []string{"1", "2", "3"}, []string{b.Events[0].ObjectID, b.Events[1].ObjectID, b.Events[2].ObjectID})
		require.Equal(t, at, b.Events[0].Date)
		require.Equal(t, at, b.Events[1].Date)
		require.Equal(t, handlerT0, b.Events[2].Date)
		require.JSONEq(t, `{"kind":"lead","object":{"id":3},"action":"archive"}`, string(b.Events[2].Raw))
	})
	t.Run("no changes", func(t *testing.T) {
		before := len(f.sink.got())
		for _, body := range []string{`{"data":{}}`, `{"data":{"changes":null}}`, `{"data":{"changes":[]}}`} {
			r := hexPost(t, []byte(body))
			require.Equal(t, http.StatusOK, r.status, r.body)
		}
		require.Len(t, f.sink.got(), before, "nothing to publish")
	})
	t.Run("changes not an array", func(t *testing.T) {
		r := hexPost(t, []byte(`{"data":{"changes":{"kind":"contact"}}}`))
		require.Equal(t, http.StatusBadRequest, r.status)
		require.Equal(t, "data.changes is not an array", r.body)
		r = hexPost(t, []byte(`{"data":{"changes":[{"kind":"contact"}, 5]}}`))
		require.Equal(t, http.StatusBadRequest, r.status)
		require.Equal(t, "change 1 is not a JSON object", r.body)
	})
	t.Run("form body", func(t *testing.T) {
		body := []byte("kind=contact&object.id=9&action=edit&at=2026-11-24T09%3A00%3A00Z")
		r := hexPost(t, body, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		require.Equal(t, http.StatusOK, r.status, r.body)
		b := f.sink.got()[len(f.sink.got())-1]
		require.JSONEq(t, `{"kind":"contact","object.id":"9","action":"edit","at":"2026-11-24T09:00:00Z"}`, string(b.Raw))
		require.Len(t, b.Events, 1)
		require.Equal(t, events.Event{
			ID: events.NewID("hex-1", "contacts", "9", events.Updated, at), Type: events.Updated,
			ObjectType: "contacts", ObjectID: "9", ElementKey: "hexvendor", HubKey: "crm", Date: at, Raw: b.Raw,
		}, b.Events[0])
	})
	t.Run("form body where forms are not accepted", func(t *testing.T) {
		body := []byte("type=deal&id=1&event=created")
		r := f.do(t, http.MethodPost, "/events/b64vendor/b64-1", body,
			"Content-Type", "application/x-www-form-urlencoded", "X-B64-Signature", handlerB64MAC(handlerB64Secret, body))
		require.Equal(t, http.StatusBadRequest, r.status)
	})
	t.Run("GET with query parameters", func(t *testing.T) {
		query := "kind=contact&object.id=10&action=add"
		r := f.do(t, http.MethodGet, "/events/hexvendor/hex-1?"+query, nil,
			"X-Hex-Signature", handlerHexMAC(handlerHexSecret, []byte(query)))
		require.Equal(t, http.StatusOK, r.status, r.body)
		b := f.sink.got()[len(f.sink.got())-1]
		require.Equal(t, "10", b.Events[0].ObjectID)
		require.Equal(t, events.Created, b.Events[0].Type)
		require.JSONEq(t, `{"kind":"contact","object.id":"10","action":"add"}`, string(b.Raw))

		// The signature covers the raw query.
		r = f.do(t, http.MethodGet, "/events/hexvendor/hex-1?"+query+"&x=1", nil,
			"X-Hex-Signature", handlerHexMAC(handlerHexSecret, []byte(query)))
		require.Equal(t, http.StatusUnauthorized, r.status)
	})
	t.Run("generic element", func(t *testing.T) {
		body := []byte(`{"objectType":"accounts","objectId":77,"eventType":"created","date":"2026-11-24T09:00:00Z"}`)
		r := f.do(t, http.MethodPost, "/events/generic/gen-1", body)
		require.Equal(t, http.StatusOK, r.status, r.body)
		b := f.sink.got()[len(f.sink.got())-1]
		require.Equal(t, events.Event{
			ID: events.NewID("gen-1", "accounts", "77", events.Created, at), Type: events.Created,
			ObjectType: "accounts", ObjectID: "77", ElementKey: "generic", HubKey: "general", Date: at, Raw: body,
		}, b.Events[0])
		require.Equal(t, events.Endpoint{URL: "https://app.example/callback"}, b.Endpoint, "no signature key, no Key")

		r = f.do(t, http.MethodPost, "/events/generic/gen-1", []byte(`{"objectId":77}`))
		require.Equal(t, http.StatusBadRequest, r.status)
		require.Equal(t, "no object type (no value at objectType)", r.body)
	})
}
