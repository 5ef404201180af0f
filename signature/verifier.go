package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/internal/quote"
)

// DefaultTolerance is how far a Standard Webhooks timestamp may be from the
// verifier's clock, in either direction, when Verifier.Tolerance is zero.
const DefaultTolerance = 5 * time.Minute

// Verifier checks signatures against one or more keys: a signature made
// with any key passes, so keys can be rotated. Set the fields before first
// use and do not change them after; a Verifier is then safe for concurrent
// use and allocates nothing per verification.
type Verifier struct {
	// Keys are the HMAC keys (see [ParseKey]). At least one is required.
	Keys [][]byte

	// Tolerance bounds the age of a Standard Webhooks timestamp, in both
	// directions. Zero means [DefaultTolerance]; negative disables the check.
	Tolerance time.Duration

	// Clock tells the time for the tolerance check. Nil means the real
	// clock.
	Clock clockwork.Clock

	once sync.Once
	macs []*keyMAC
}

// NewVerifier returns a Verifier for keys with the default tolerance and the
// real clock.
func NewVerifier(keys ...[]byte) *Verifier { return &Verifier{Keys: keys} }

func (v *Verifier) init() {
	v.once.Do(func() {
		for _, k := range v.Keys {
			if len(k) > 0 {
				v.macs = append(v.macs, newKeyMAC(k))
			}
		}
		if v.Clock == nil {
			v.Clock = clockwork.NewRealClock()
		}
	})
}

// Verify checks a request's headers against body: the Standard Webhooks
// scheme when [HeaderWebhookSignature] is present, otherwise the Cloud
// Elements scheme. A missing signature is [ErrMissingHeader]. Keys of h
// are read in canonical form. Since the Cloud Elements scheme has no
// timestamp, a consumer that must not accept replays calls
// [Verifier.VerifyStandard], as receiver.Receiver does by default.
func (v *Verifier) Verify(body []byte, h http.Header) error {
	if sig := first(h, HeaderWebhookSignature); sig != "" {
		return v.VerifyStandard(body, first(h, HeaderWebhookID), first(h, HeaderWebhookTimestamp), sig)
	}
	if sig := first(h, HeaderElementsSignature); sig != "" {
		return v.VerifyElements(body, sig)
	}
	return fmt.Errorf("%w: neither %s nor %s", ErrMissingHeader, HeaderWebhookSignature, HeaderElementsSignature)
}

// VerifyStandard checks a Standard Webhooks v1 signature: id and timestamp
// are the webhook-id and webhook-timestamp values, signatures the
// space-separated webhook-signature list. Entries of other versions are
// ignored. The timestamp is checked against the tolerance first.
func (v *Verifier) VerifyStandard(body []byte, id, timestamp, signatures string) error {
	v.init()
	switch {
	case id == "":
		return fmt.Errorf("%w: %s", ErrMissingHeader, HeaderWebhookID)
	case timestamp == "":
		return fmt.Errorf("%w: %s", ErrMissingHeader, HeaderWebhookTimestamp)
	case signatures == "":
		return fmt.Errorf("%w: %s", ErrMissingHeader, HeaderWebhookSignature)
	case len(v.macs) == 0:
		return fmt.Errorf("%w: verifier has no keys", ErrNoKey)
	}
	unix, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || unix < 0 {
		return fmt.Errorf("%w: %s is not Unix seconds", ErrMalformedHeader, HeaderWebhookTimestamp)
	}
	if err := v.checkTime(unix); err != nil {
		return err
	}
	for _, k := range v.macs {
		m := k.get()
		sum := m.sumStandard(id, unix, body)
		ok := matchStandard(m, sum, signatures)
		k.put(m)
		if ok {
			return nil
		}
	}
	return ErrNoMatch
}

// matchStandard reports whether any v1 entry of the list equals sum.
func matchStandard(m *macState, sum []byte, list string) bool {
	var want [sha256.Size]byte
	for entry := range strings.FieldsSeq(list) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		if decodeDigest(&want, &m.scratch, sig, Base64) && hmac.Equal(sum, want[:]) {
			return true
		}
	}
	return false
}

func (v *Verifier) checkTime(unix int64) error {
	tol := v.Tolerance
	if tol < 0 {
		return nil
	}
	if tol == 0 {
		tol = DefaultTolerance
	}
	now := v.Clock.Now()
	ts := time.Unix(unix, 0)
	switch {
	case now.Sub(ts) > tol:
		return fmt.Errorf("%w: %s is %v before now, tolerance %v", ErrTooOld, HeaderWebhookTimestamp, now.Sub(ts).Round(time.Second), tol)
	case ts.Sub(now) > tol:
		return fmt.Errorf("%w: %s is %v after now, tolerance %v", ErrTooNew, HeaderWebhookTimestamp, ts.Sub(now).Round(time.Second), tol)
	}
	return nil
}

// VerifyElements checks a Cloud Elements signature, "sha256=<base64>" or a
// bare base64 value as older senders wrote it. Other algorithms (sha1=) are
// [ErrMalformedHeader].
func (v *Verifier) VerifyElements(body []byte, value string) error {
	return v.verifyDigest(body, value, Base64, HeaderElementsSignature)
}

// VerifyHMAC checks a vendor signature: HMAC-SHA256 of the raw body in enc,
// with or without a "sha256=" prefix (WooCommerce's X-WC-Webhook-Signature
// is bare base64).
func (v *Verifier) VerifyHMAC(body []byte, value string, enc Encoding) error {
	return v.verifyDigest(body, value, enc, "signature")
}

func (v *Verifier) verifyDigest(body []byte, value string, enc Encoding, header string) error {
	v.init()
	if value == "" {
		return fmt.Errorf("%w: %s", ErrMissingHeader, header)
	}
	if len(v.macs) == 0 {
		return fmt.Errorf("%w: verifier has no keys", ErrNoKey)
	}
	digest, err := stripAlgorithm(value, header)
	if err != nil {
		return err
	}
	var want [sha256.Size]byte
	var scratch [128]byte
	if !decodeDigest(&want, &scratch, digest, enc) {
		return fmt.Errorf("%w: %s is not a %s SHA-256 digest", ErrMalformedHeader, header, enc)
	}
	for _, k := range v.macs {
		m := k.get()
		ok := hmac.Equal(m.sumBody(body), want[:])
		k.put(m)
		if ok {
			return nil
		}
	}
	return ErrNoMatch
}

// stripAlgorithm removes a "sha256=" prefix and refuses any other
// algorithm. A bare base64 value has '=' only as its last two characters.
func stripAlgorithm(value, header string) (string, error) {
	i := strings.IndexByte(value, '=')
	if i <= 0 || i >= len(value)-2 {
		return value, nil
	}
	if algo := value[:i]; !strings.EqualFold(algo, "sha256") {
		return "", fmt.Errorf("%w: %s uses %s, only sha256 is accepted", ErrMalformedHeader, header, quote.String(algo))
	}
	return value[i+1:], nil
}

// first returns the first value of a canonical header without allocating.
func first(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
