package httpheader

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		h         http.Header
		wantValue string
		wantOK    bool
	}{
		{"canonical", http.Header{"Webhook-Id": {"a", "b"}}, "a", true},
		{"lowercase", http.Header{"webhook-id": {"a"}}, "a", true},
		{"upper case", http.Header{"WEBHOOK-ID": {"a"}}, "a", true},
		{"absent", http.Header{"Webhook-Idx": {"a"}, "Webhook-I": {"b"}}, "", false},
		{"nil header", nil, "", false},
		{"present, no value", http.Header{"webhook-id": {}}, "", true},
		{"present, empty", http.Header{"Webhook-Id": {""}}, "", true},
		{"canonical wins", http.Header{"webhook-id": {"low"}, "Webhook-Id": {"canon"}, "WEBHOOK-ID": {"up"}}, "canon", true},
		{"canonical wins even empty", http.Header{"webhook-id": {"low"}, "Webhook-Id": {}}, "", true},
		{"then the smallest key", http.Header{"webhook-id": {"low"}, "WEBHOOK-ID": {"up"}, "wEbhook-id": {"mixed"}}, "up", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for range 20 { // map order varies from one range to the next
				v, ok := Lookup(tt.h, "Webhook-Id")
				require.Equal(t, tt.wantValue, v)
				require.Equal(t, tt.wantOK, ok)
			}
		})
	}
}

func TestLookupAllocatesNothing(t *testing.T) {
	h := http.Header{"webhook-id": {"a"}, "Content-Type": {"application/json"}, "Webhook-Timestamp": {"1"}}
	allocs := testing.AllocsPerRun(100, func() {
		Lookup(h, "Webhook-Id")
		Lookup(h, "Webhook-Timestamp")
		Lookup(h, "Webhook-Signature")
	})
	require.Zero(t, allocs)
}

// FuzzLookup: a key is found under its canonical form, and the value is
// one of those given.
func FuzzLookup(f *testing.F) {
	f.Add("webhook-id", "Webhook-Id", "a")
	f.Add("WEBHOOK-ID", "webhook-iD", "b")
	f.Add("\xff", "k", "")
	f.Fuzz(func(t *testing.T, k1, k2, v string) {
		h := http.Header{k1: {v}, k2: {v + "2"}}
		got, ok := Lookup(h, http.CanonicalHeaderKey(k1))
		if !ok {
			t.Fatalf("%q not found in %q", http.CanonicalHeaderKey(k1), h)
		}
		if got != v && got != v+"2" {
			t.Fatalf("got %q", got)
		}
	})
}
