package webhook

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
)

var normT0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// normDefinition returns a built-in definition, or parses js.
func normDefinition(t testing.TB, keyOrJSON string) *element.Definition {
	t.Helper()
	if !strings.HasPrefix(keyOrJSON, "{") {
		def, ok := element.Default().Lookup(keyOrJSON)
		require.True(t, ok, keyOrJSON)
		return def
	}
	def, err := element.ParseDefinition([]byte(keyOrJSON))
	require.NoError(t, err)
	return def
}

// normNested is a vendor with dotted paths and an array of changes.
const normNested = `{"key": "nested", "hub": "crm", "baseUrl": "https://x.example",
	"webhook": {"changesPath": "payload.items", "objectTypePath": "meta.type", "objectIdPath": "record.key.id",
		"eventTypePath": "meta.op", "datePath": "meta.at", "dateFormat": "yyyy-MM-dd HH:mm:ss", "dateTimezone": "Europe/Paris",
		"topics": {"objects": {"person": "contacts"}, "actions": {"ins": "CREATED", "upd": "UPDATED", "del": "DELETED"}}}}`

func newTestNormalizer(t testing.TB, keyOrJSON string) *normalizer {
	t.Helper()
	n, err := newNormalizer("inst-1", normDefinition(t, keyOrJSON))
	require.NoError(t, err)
	return n
}

// normChange is the part of an event the table tests check.
type normChange struct {
	Type       events.Type
	ObjectType string
	ObjectID   string
	Date       time.Time
	Raw        string
}

func normChanges(evs []events.Event) []normChange {
	out := make([]normChange, len(evs))
	for i, e := range evs {
		out[i] = normChange{e.Type, e.ObjectType, e.ObjectID, e.Date, string(e.Raw)}
	}
	return out
}

func TestNormalizeWooCommerce(t *testing.T) {
	t.Parallel()
	n := newTestNormalizer(t, "woocommercerest")
	at := time.Date(2026, 11, 24, 11, 59, 30, 0, time.UTC)
	tests := []struct {
		name    string
		topic   string
		body    string
		want    []normChange
		wantErr string
	}{
		{"number id", "customer.updated", `{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`,
			[]normChange{{events.Updated, "customers", "25", at, `{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`}}, ""},
		{"string id", "order.created", `{"id":"A-7"}`, []normChange{{events.Created, "orders", "A-7", normT0, `{"id":"A-7"}`}}, ""},
		{"big number id kept as written", "order.created", `{"id":123456789012345678901234567890}`,
			[]normChange{{events.Created, "orders", "123456789012345678901234567890", normT0, `{"id":123456789012345678901234567890}`}}, ""},
		{"float id as written", "order.created", `{"id":1.5e3}`, []normChange{{events.Created, "orders", "1.5e3", normT0, `{"id":1.5e3}`}}, ""},
		{"null id", "order.created", `{"id":null}`, []normChange{{events.Created, "orders", "", normT0, `{"id":null}`}}, ""},
		{"boolean id as written", "order.created", `{"id":true}`, []normChange{{events.Created, "orders", "true", normT0, `{"id":true}`}}, ""},
		{"escaped key and value", "coupon.deleted", `{"\u0069d":"x\u00e9\"y"}`,
			[]normChange{{events.Deleted, "coupons", `xé"y`, normT0, `{"\u0069d":"x\u00e9\"y"}`}}, ""},
		{"repeated key: the last wins", "coupon.deleted", `{"id":1,"id":2}`, []normChange{{events.Deleted, "coupons", "2", normT0, `{"id":1,"id":2}`}}, ""},
		{"nested id is not the id", "coupon.deleted", `{"line":{"id":9},"id":3}`,
			[]normChange{{events.Deleted, "coupons", "3", normT0, `{"line":{"id":9},"id":3}`}}, ""},
		{"space everywhere", "product.updated", " { \"id\" : 93 , \"date_modified_gmt\" : \"2026-11-24T11:59:30\" } \n",
			[]normChange{{events.Updated, "products", "93", at, `{ "id" : 93 , "date_modified_gmt" : "2026-11-24T11:59:30" }`}}, ""},
		{"unknown resource kept", "booking.created", `{"id":1}`, []normChange{{events.Created, "booking", "1", normT0, `{"id":1}`}}, ""},
		{"topic without action", "customer", `{"id":1}`, []normChange{{events.Unknown, "customers", "1", normT0, `{"id":1}`}}, ""},
		{"unreadable date", "customer.updated", `{"id":1,"date_modified_gmt":"yesterday"}`,
			[]normChange{{events.Updated, "customers", "1", normT0, `{"id":1,"date_modified_gmt":"yesterday"}`}}, ""},
		{"empty date", "customer.updated", `{"id":1,"date_modified_gmt":""}`,
			[]normChange{{events.Updated, "customers", "1", normT0, `{"id":1,"date_modified_gmt":""}`}}, ""},
		{"top-level array", "customer.updated", `[{"id":1},{"id":2}]`,
			[]normChange{{events.Updated, "customers", "1", normT0, `{"id":1}`}, {events.Updated, "customers", "2", normT0, `{"id":2}`}}, ""},
		{"empty array", "customer.updated", `[]`, []normChange{}, ""},
		{"no topic", "", `{"id":1}`, nil, "no object type (no X-WC-Webhook-Topic header)"},
		{"id is an array", "customer.updated", `{"id":[1]}`, nil, "id is an object or an array, want a string or a number"},
		{"not JSON", "customer.updated", `{"id":1`, nil, "body is not valid JSON: unexpected end of JSON input"},
		{"trailing garbage", "customer.updated", `{"id":1} {}`, nil, "body is not valid JSON: invalid character '{' after top-level value"},
		{"a string", "customer.updated", `"x"`, nil, "body is not a JSON object"},
		{"vertical tab is not JSON space", "customer.updated", "{\"id\":1}\v", nil, "body is not valid JSON: invalid character '\\v' after top-level value"},
		{"empty", "customer.updated", "  ", nil, "empty body"},
		{"array of non-objects", "customer.updated", `[{"id":1},2]`, nil, "change 1 is not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			evs, raw, err := n.normalize(payload{body: []byte(tt.body)}, tt.topic, normT0)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrBadBody)
				require.Equal(t, tt.wantErr, badBodyReason(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.body, string(raw), "the batch's raw is the body as received")
			require.Equal(t, tt.want, normChanges(evs))
			for _, e := range evs {
				require.Equal(t, events.NewID("inst-1", e.ObjectType, e.ObjectID, e.Type, e.Date), e.ID)
				require.Equal(t, "woocommercerest", e.ElementKey)
				require.Equal(t, "ecommerce", e.HubKey)
				require.True(t, json.Valid(e.Raw))
			}
		})
	}
}

func TestNormalizeNested(t *testing.T) {
	t.Parallel()
	n := newTestNormalizer(t, normNested)
	paris := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) // 10:00 in Paris
	item := func(typ, op, id, at string) string {
		return `{"meta":{"type":` + typ + `,"op":` + op + `,"at":` + at + `},"record":{"key":{"id":` + id + `}}}`
	}
	tests := []struct {
		name    string
		body    string
		want    []normChange
		wantErr string
	}{
		{"two changes", `{"payload":{"items":[` + item(`"person"`, `"ins"`, `1`, `"2026-11-24 10:00:00"`) + `,` + item(`"deal"`, `"DELETED"`, `"d2"`, `null`) + `]}}`,
			[]normChange{
				{events.Created, "contacts", "1", paris, item(`"person"`, `"ins"`, `1`, `"2026-11-24 10:00:00"`)},
				{events.Deleted, "deal", "d2", normT0, item(`"deal"`, `"DELETED"`, `"d2"`, `null`)},
			}, ""},
		{"unknown action", `{"payload":{"items":[` + item(`"person"`, `"merge"`, `1`, `null`) + `]}}`,
			[]normChange{{events.Unknown, "contacts", "1", normT0, item(`"person"`, `"merge"`, `1`, `null`)}}, ""},
		{"path through a non-object is absent", `{"payload":{"items":[{"meta":{"type":"person"},"record":{"key":5}}]}}`,
			[]normChange{{events.Unknown, "contacts", "", normT0, `{"meta":{"type":"person"},"record":{"key":5}}`}}, ""},
		{"no items", `{"payload":{}}`, []normChange{}, ""},
		{"null items", `{"payload":{"items":null}}`, []normChange{}, ""},
		{"payload not an object", `{"payload":[1]}`, []normChange{}, ""},
		{"items not an array", `{"payload":{"items":"x"}}`, nil, "payload.items is not an array"},
		{"body an array", `[{"payload":{}}]`, nil, "body is not a JSON object"},
		{"no type", `{"payload":{"items":[{"meta":{}}]}}`, nil, "no object type (no value at meta.type)"},
		{"type is an object", `{"payload":{"items":[{"meta":{"type":{}}}]}}`, nil, "meta.type is an object or an array, want a string or a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			evs, _, err := n.normalize(payload{body: []byte(tt.body)}, "", normT0)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrBadBody)
				require.Equal(t, tt.wantErr, badBodyReason(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, normChanges(evs))
		})
	}
}

func TestNormalizeForm(t *testing.T) {
	t.Parallel()
	n := newTestNormalizer(t, "generic")
	vals, err := url.ParseQuery("objectType=contacts&objectId=5&eventType=delete&date=2026-11-24T09%3A00%3A00Z&objectId=6&extra=%22q%22")
	require.NoError(t, err)
	evs, raw, err := n.normalize(payload{form: flatten(vals)}, "", normT0)
	require.NoError(t, err)
	require.JSONEq(t, `{"objectType":"contacts","objectId":"5","eventType":"delete","date":"2026-11-24T09:00:00Z","extra":"\"q\""}`, string(raw))
	require.Equal(t, []normChange{{events.Deleted, "contacts", "5", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), string(raw)}}, normChanges(evs))

	_, _, err = n.normalize(payload{form: map[string]string{"objectId": "1"}}, "", normT0)
	require.ErrorIs(t, err, ErrBadBody)
}

func TestIsPing(t *testing.T) {
	t.Parallel()
	def := normDefinition(t, "woocommercerest")
	vf, err := newVerifier(def.Webhook, "s", nil, 0)
	require.NoError(t, err)
	p := &prepared{verify: vf, norm: newTestNormalizer(t, "woocommercerest"), pingField: def.Webhook.PingField}
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name string
		body string
		h    http.Header
		want bool
	}{
		{"ping", "webhook_id=15", h(), true},
		{"ping with other fields", "webhook_id=15&x=1", h(), true},
		{"empty id", "webhook_id=", h(), false},
		{"other field", "id=15", h(), false},
		{"JSON", `{"webhook_id":15}`, h(), false},
		{"signed", "webhook_id=15", h("X-WC-Webhook-Signature", "abc"), false},
		{"with a topic", "webhook_id=15", h("X-WC-Webhook-Topic", "order.created"), false},
		{"bad form", "webhook_id=15&%zz", h(), false},
		{"too long", "webhook_id=15&pad=" + strings.Repeat("x", maxPingBody), h(), false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, p.isPing(payload{body: []byte(tt.body)}, tt.h), tt.name)
	}
	p.pingField = ""
	require.False(t, p.isPing(payload{body: []byte("webhook_id=15")}, h()), "no ping field, no ping")
}

func TestDecodeBase64ID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"d29vLTE=", "woo-1", true},
		{"d29vLTE", "woo-1", true},
		{"YS9iP2M-", "a/b?c>", true},
		{"YS9iP2M+", "a/b?c>", true},
		{"MTIzNDU2", "123456", true},
		{"woo-1", "", false},    // not base64
		{"abcd", "", false},     // decodes to bytes that are not text
		{"AAAA", "", false},     // NUL bytes
		{"x", "", false},        // too short
		{"", "", false},         // empty
		{"8J+YgA==", "😀", true}, // UTF-8
	}
	for _, tt := range tests {
		got, ok := decodeBase64ID(tt.in)
		require.Equal(t, tt.ok, ok, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
	_, ok := decodeBase64ID(strings.Repeat("QUJD", maxInstanceID))
	require.False(t, ok, "long ids are not decoded")
}

func TestEventsPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, key, id string
		ok            bool
	}{
		{"/events/woocommercerest/1", "woocommercerest", "1", true},
		{"/prefix/events/generic/a%2Fb/", "generic", "a/b", true},
		{"events/k/i", "k", "i", true},
		{"/events/k/", "", "", false},
		{"/events//i", "", "", false},
		{"/hooks/k/i", "", "", false},
		{"/k/i", "", "", false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.path)
		require.NoError(t, err)
		key, id, ok := eventsPath(u)
		require.Equal(t, tt.ok, ok, tt.path)
		require.Equal(t, tt.key, key, tt.path)
		require.Equal(t, tt.id, id, tt.path)
	}
}

func TestBadBodyReason(t *testing.T) {
	t.Parallel()
	long := errors.New(strings.Repeat("é", 150))
	r := badBodyReason(long)
	require.LessOrEqual(t, len(r), 203)
	require.True(t, strings.HasSuffix(r, "..."))
	require.True(t, json.Valid([]byte(`"`+r+`"`)), "cut on a rune boundary")
}
