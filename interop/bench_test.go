package interop_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	svix "github.com/svix/svix-webhooks/go"

	"github.com/a12b7632/elementevents/signature"
)

// BenchmarkVerifyStandard compares our Standard Webhooks verification with
// the reference library's and with Svix's Go library (which verifies the
// same scheme under webhook-* headers) on the same headers and bodies. All
// three check the timestamp tolerance.
func BenchmarkVerifyStandard(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10} {
		payload := bytes.Repeat([]byte("x"), size)
		now := time.Now()
		s, _ := signature.NewSigner(key)
		h := http.Header{}
		s.SetHeaders(h, "msg_1", now, payload)
		ts := strconv.FormatInt(now.Unix(), 10)
		sig := h.Get("webhook-signature")
		name := strconv.Itoa(size>>10) + "KiB"

		b.Run(name+"/ours", func(b *testing.B) {
			v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{key}})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if err := v.VerifyStandard(payload, "msg_1", ts, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/standard-webhooks", func(b *testing.B) {
			wh, _ := standardwebhooks.NewWebhookRaw(key)
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if err := wh.Verify(payload, h); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/svix", func(b *testing.B) {
			wh, _ := svix.NewWebhookRaw(key)
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if err := wh.Verify(payload, h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
