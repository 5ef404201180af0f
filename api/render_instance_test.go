package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
)

// renderRecord is a stored record around body.
func renderRecord(body string) engine.Record {
	return engine.Record{Tenant: "acme", ID: "i-1", Version: 3, Enabled: true, Body: []byte(body),
		Created: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), Updated: time.Date(2026, 12, 7, 12, 30, 0, 500, time.FixedZone("x", 3600))}
}

// TestAppendInstance holds appendInstance to renderInstanceMap, byte for
// byte, and checks which bodies it copies as written (fast) and which it
// hands to encoding/json.
func TestAppendInstance(t *testing.T) {
	t.Parallel()
	many := func(n int) string { // an object of n members, "k000": 0, ...
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"k%03d":%d`, n-i, i) // written in reverse key order
		}
		return b.String() + "}"
	}
	tests := []struct {
		name  string
		body  string
		token string
		fast  bool
	}{
		{name: "stored body", fast: true,
			body: `{"configuration":{"store.url":"https://shop.example.com","oauth.api.key":"ck","oauth.api.secret":"cs","event.notification.signature.key":"sig","event.poller.configuration":{"customers":{"url":"/c"}}},"disabled":false,"element":{"key":"woocommercerest"},"id":"i-1","name":"n <&>","tags":["a"],"token":"tok","x-custom":{"kept":true}}`},
		{name: "token given replaces the body's", token: "new-token", fast: true,
			body: `{"id":"i-1","token":"tok","name":"n"}`},
		{name: "token with HTML characters escaped as json.Marshal does", token: "a&<b>\u2028", fast: true, body: `{}`},
		{name: "a non-string token kept", fast: true, body: `{"token":12,"name":"n"}`},
		{name: "version and dates in the body replaced", fast: true,
			body: `{"version":99,"createdDate":"x","updatedDate":"y","disabled":"true","id":7}`},
		{name: "empty object", fast: true, body: `{}`},
		{name: "configuration not an object", fast: true, body: `{"configuration":"a.key=1"}`},
		{name: "configuration null", fast: true, body: `{"configuration":null}`},
		{name: "configuration empty", fast: true, body: `{"configuration":{},"name":"n"}`},
		{name: "configuration keys unsorted", fast: true, body: `{"configuration":{"z":1,"a.token":"t","m":[1,{"b":2,"a":1}]}}`},
		{name: "256 members", fast: true, body: many(256)},
		{name: "257 members", body: many(257)},
		{name: "256 configuration members", fast: true, body: `{"configuration":` + many(256) + `}`},
		{name: "257 configuration members", body: `{"configuration":` + many(257) + `}`},
		{name: "escaped key", body: `{"\u0069d":"x","name":"n"}`},
		{name: "escaped configuration key", body: `{"configuration":{"oauth.api.\u006bey":"ck"}}`},
		{name: "repeated key", body: `{"name":"a","name":"b"}`},
		{name: "repeated configuration key", body: `{"configuration":{"a":1,"a":2}}`},
		{name: "non-ASCII key", body: `{"nämé":"x"}`},
		{name: "not an object", body: `[1,2]`},
		{name: "not JSON", body: `{"a":`},
		{name: "empty", body: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := renderRecord(tt.body)
			want := string(renderInstanceMap(rec, tt.token))
			got := string(appendInstance([]byte("prefix"), rec, tt.token))
			require.Equal(t, "prefix"+want, got)
			_, fast := appendInstanceFast(nil, rec, tt.token)
			require.Equal(t, tt.fast, fast)
			require.NotContains(t, got, `"cs"`)
		})
	}
}

// FuzzAppendInstance holds appendInstance to renderInstanceMap on any
// body.
func FuzzAppendInstance(f *testing.F) {
	for _, s := range []string{`{}`, `{"configuration":{"a.key":"x","b":1},"id":"i","token":"t"}`, `{"a":1,"a":2}`, `[1]`, `{"\u0061":1}`, "{\"a\":\"\xff\"}"} {
		f.Add([]byte(s), "")
		f.Add([]byte(s), "tok\"en")
	}
	f.Fuzz(func(t *testing.T, body []byte, token string) {
		rec := renderRecord(string(body))
		if want, got := renderInstanceMap(rec, token), appendInstance(nil, rec, token); string(want) != string(got) {
			t.Fatalf("body %q: appendInstance\n%s\nencoding/json\n%s", body, got, want)
		}
	})
}
