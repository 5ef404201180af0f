package boltstore

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// sampleDelivery is a notification of ten events after two failed
// attempts, about what a busy endpoint's outbox holds.
func sampleDelivery() notify.Delivery {
	body := []byte(`{"message":{"eventId":"3f2a0c1e-9b7d-8e4f-a6c5-1d2e3f4a5b6c","elementKey":"woocommercerest","instanceId":"4711","instanceName":"Jo's shop","instanceTags":["shop"],"events":[`)
	for i := range 10 {
		if i > 0 {
			body = append(body, ',')
		}
		body = fmt.Appendf(body, `{"eventType":"UPDATED","objectType":"customers","objectId":"%d","elementKey":"woocommercerest","hubKey":"ecommerce","date":"2026-03-14T15:09:26Z","pollDate":"2026-03-14T15:10:00Z"}`, 1000+i)
	}
	body = append(body, `],"raw":{}}}`...)
	t := time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)
	return notify.Delivery{
		ID: "3f2a0c1e-9b7d-8e4f-a6c5-1d2e3f4a5b6c", Endpoint: "https://app.example.com/events",
		OrderKey: "4711\x00customers", Key: []byte("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), Body: body, Events: 10,
		Seq: 123456, CreatedAt: t, State: notify.Pending, NextAttempt: t.Add(5 * time.Minute),
		Attempts: []notify.Attempt{
			{At: t, Status: 503, Latency: 250 * time.Millisecond, Error: "HTTP 503", Response: []byte(`{"error":"maintenance"}`)},
			{At: t.Add(5 * time.Second), Status: 0, Latency: 15 * time.Second, Error: "context deadline exceeded"},
		},
	}
}

func TestDeliveryRoundTrip(t *testing.T) {
	t.Parallel()
	full := sampleDelivery()
	dead := full
	dead.State, dead.DeadReason = notify.Dead, "404 Not Found"
	extremes := notify.Delivery{
		ID: "x", Endpoint: "e", Events: -1, Seq: math.MaxUint64,
		CreatedAt: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), NextAttempt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		State:    notify.Pending,
		Attempts: []notify.Attempt{{Status: -7, Latency: math.MinInt64}},
	}
	for name, d := range map[string]notify.Delivery{
		"full":     full,
		"dead":     dead,
		"minimal":  {ID: "m", Endpoint: "e", State: notify.Pending},
		"extremes": extremes,
	} {
		got, err := decodeDelivery(d.ID, encodeDelivery(&d))
		require.NoError(t, err, name)
		require.Empty(t, cmp.Diff(d, got), name)
	}
}

func TestTimeKeyOrdersLikeTime(t *testing.T) {
	t.Parallel()
	times := []time.Time{
		{},
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC),
		time.Date(2026, 3, 14, 15, 9, 26, 1, time.UTC),
		time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	prev := make([]byte, timeKeyLen)
	for i, tm := range times {
		k := make([]byte, timeKeyLen)
		putTimeKey(k, tm)
		require.True(t, tm.Equal(getTimeKey(k)), "%v", tm)
		if i > 0 {
			require.Less(t, string(prev), string(k), "%v after %v", tm, times[i-1])
		}
		prev = k
	}
}

// FuzzDecodeDelivery feeds arbitrary bytes to the record decoder: it
// must return an error or a delivery, never panic, and whatever it
// accepts must encode back to the same bytes.
func FuzzDecodeDelivery(f *testing.F) {
	d := sampleDelivery()
	f.Add(encodeDelivery(&d))
	f.Add([]byte{})
	f.Add([]byte{0x01, 'e', 0, 0, 0, 0, 0, 0, 0, 'p'})
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := decodeDelivery("id", raw)
		if err != nil {
			return
		}
		again, err := decodeDelivery("id", encodeDelivery(&got))
		require.NoError(t, err)
		require.Empty(t, cmp.Diff(got, again))
	})
}

// jsonDelivery is how the record would look in encoding/json, for
// BenchmarkCodec's comparison.
type jsonDelivery struct {
	Endpoint    string               `json:"e"`
	OrderKey    string               `json:"o,omitempty"`
	Key         []byte               `json:"k,omitempty"`
	Body        json.RawMessage      `json:"b"`
	Events      int                  `json:"n"`
	Seq         uint64               `json:"q"`
	CreatedAt   time.Time            `json:"c"`
	State       notify.DeliveryState `json:"s"`
	NextAttempt time.Time            `json:"t"`
	DeadReason  string               `json:"r,omitempty"`
	Attempts    []notify.Attempt     `json:"a,omitempty"`
}

// BenchmarkCodec compares the record encoding with encoding/json on the
// same delivery: bytes per record (reported as a metric) and the time to
// encode and decode. It is why the store uses its own encoding.
func BenchmarkCodec(b *testing.B) {
	d := sampleDelivery()
	b.Run("binary", func(b *testing.B) {
		var raw []byte
		b.ReportAllocs()
		for b.Loop() {
			raw = encodeDelivery(&d)
			if _, err := decodeDelivery(d.ID, raw); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(raw)), "bytes/record")
	})
	b.Run("json", func(b *testing.B) {
		j := jsonDelivery{d.Endpoint, d.OrderKey, d.Key, d.Body, d.Events, d.Seq, d.CreatedAt, d.State, d.NextAttempt, d.DeadReason, d.Attempts}
		var raw []byte
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if raw, err = json.Marshal(j); err != nil {
				b.Fatal(err)
			}
			var back jsonDelivery
			if err := json.Unmarshal(raw, &back); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(raw)), "bytes/record")
	})
}

// FuzzDecodeToken feeds arbitrary bytes to the token decoder: it must
// return an error or a token, never panic; what it accepts encodes back
// to a token that decodes the same, and its errors never quote the bytes
// (they hold secrets).
func FuzzDecodeToken(f *testing.F) {
	f.Add(encodeToken(vendorauth.Token{AccessToken: "a", RefreshToken: "r", TokenType: "Bearer", Seed: "s", Expiry: time.Date(2026, 12, 7, 12, 0, 0, 123456789, time.UTC)}))
	f.Add(encodeToken(vendorauth.Token{}))
	f.Add([]byte{})
	f.Add([]byte{tokenFormat, 3, 'x', 'y'})
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := decodeToken(raw)
		if err != nil {
			if len(raw) > 4 {
				require.NotContains(t, err.Error(), string(raw[1:]))
			}
			return
		}
		again, err := decodeToken(encodeToken(got))
		require.NoError(t, err)
		require.Equal(t, got.Expiry.IsZero(), again.Expiry.IsZero())
		require.True(t, got.Expiry.Equal(again.Expiry))
		got.Expiry, again.Expiry = time.Time{}, time.Time{}
		require.Equal(t, got, again)
	})
}

func TestTokenEncodingKeepsTheZeroExpiry(t *testing.T) {
	t.Parallel()
	for _, exp := range []time.Time{{}, time.Unix(0, 0).UTC(), time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))} {
		got, err := decodeToken(encodeToken(vendorauth.Token{AccessToken: "a", Expiry: exp}))
		require.NoError(t, err)
		require.Equal(t, exp.IsZero(), got.Expiry.IsZero(), "%v", exp)
		require.True(t, exp.Equal(got.Expiry), "%v: got %v", exp, got.Expiry)
	}
	_, err := decodeToken([]byte{tokenFormat + 1})
	require.ErrorContains(t, err, "token format 2, want 1")
}
