package signature_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/signature"
)

// Sign a notification as the Notifier does, in both schemes, then verify
// it as a receiver does. The clock is fake so that the output is fixed; a
// receiver leaves Clock unset.
func Example() {
	key := []byte("a-signature-key") // the instance's event.notification.signature.key
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	body := []byte(`{"message":{"eventId":"evt-1","events":[]}}`)

	s, err := signature.NewSigner(key)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := http.Header{}
	s.SetHeaders(h, "evt-1", clock.Now(), body)
	for _, name := range []string{
		signature.HeaderElementsID, signature.HeaderElementsSignature,
		signature.HeaderWebhookID, signature.HeaderWebhookTimestamp, signature.HeaderWebhookSignature,
	} {
		fmt.Printf("%s: %s\n", name, h.Get(name))
	}

	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{key}, Clock: clock})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("as sent:", v.Verify(body, h))
	fmt.Println("body changed:", errors.Is(v.Verify([]byte(`{"message":{}}`), h), signature.ErrNoMatch))
	other, _ := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{[]byte("another key")}, Clock: clock})
	fmt.Println("other key:", errors.Is(other.Verify(body, h), signature.ErrNoMatch))
	clock.Advance(time.Hour) // the same request, replayed an hour later
	fmt.Println("an hour later:", errors.Is(v.Verify(body, h), signature.ErrTooOld))
	// Output:
	// Elements-Webhook-Id: evt-1
	// Elements-Webhook-Signature: sha256=OHwfrCjEc9h+y25nl9zRGwtkqUmyB8fjBmD6x2vPo7A=
	// Webhook-Id: evt-1
	// Webhook-Timestamp: 1795521600
	// Webhook-Signature: v1,HK6iMy+QVDsqndHucRePeEi1id9h0/5HSJjkfnVFL8M=
	// as sent: <nil>
	// body changed: true
	// other key: true
	// an hour later: true
}

// A receiver accepts several keys while the sender moves to a new one:
// list the new key first and drop the old one once every notification is
// signed with the new. Secrets written whsec_<base64>, as Standard
// Webhooks writes them, are read with ParseKey.
func ExampleParseKey() {
	newKey, err := signature.ParseKey("whsec_ZWxlbWVudGV2ZW50cyBleGFtcGxlIGtleQ==")
	if err != nil {
		fmt.Println(err)
		return
	}
	oldKey, _ := signature.ParseKey("a-signature-key") // anything else is used as it is
	fmt.Println(len(newKey), "bytes,", len(oldKey), "bytes")

	body := []byte(`{"message":{"eventId":"evt-2","events":[]}}`)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	v, _ := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{newKey, oldKey}, Clock: clockwork.NewFakeClockAt(now)})
	for _, key := range []signature.Key{oldKey, newKey} {
		s, _ := signature.NewSigner(key)
		h := http.Header{}
		s.SetHeaders(h, "evt-2", now, body)
		fmt.Println(v.Verify(body, h))
	}
	_, err = signature.ParseKey("whsec_not base64!")
	fmt.Println(errors.Is(err, signature.ErrNoKey))
	// Output:
	// 25 bytes, 15 bytes
	// <nil>
	// <nil>
	// true
}

// WooCommerce signs its webhooks with X-WC-Webhook-Signature: the base64
// HMAC-SHA256 of the raw body, keyed with the webhook's secret, and no
// prefix. Verify the bytes as received, before parsing them.
func ExampleVerifier_VerifyHMAC() {
	secret := []byte("the webhook secret")
	body := []byte(`{"id":25,"email":"john@example.com"}`)
	mac := hmac.New(sha256.New, secret) // what WooCommerce computes
	mac.Write(body)
	header := base64.StdEncoding.EncodeToString(mac.Sum(nil))

	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{secret}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.VerifyHMAC(body, header))
	fmt.Println(errors.Is(v.VerifyHMAC([]byte(`{"id":26}`), header), signature.ErrNoMatch))
	// Output:
	// <nil>
	// true
}
