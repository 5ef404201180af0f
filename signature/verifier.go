package signature

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/internal/httpheader"
	"github.com/a12b7632/elementevents/internal/quote"
)

// DefaultTolerance is how far a Standard Webhooks timestamp may be from the
// verifier's clock, in either direction, when VerifierConfig.Tolerance is
// zero.
const DefaultTolerance = 5 * time.Minute

// VerifierConfig configures a [Verifier]. Only Keys is required; every
// other field documents its default.
type VerifierConfig struct {
	// Keys are the HMAC keys (see [ParseKey]): a signature made with any
	// of them passes, so keys can be rotated. Required, none empty.
	Keys []Key

	// Tolerance bounds the age of a Standard Webhooks timestamp, in both
	// directions. Zero means [DefaultTolerance]; negative disables the
	// check.
	Tolerance time.Duration

	// Clock tells the time for the tolerance check. Default: the real
	// clock.
	Clock clockwork.Clock
}

// Verifier checks signatures against one or more keys. Make one with
// [NewVerifier]; it is safe for concurrent use and allocates nothing per
// verification.
type Verifier struct {
	macs      []*keyMAC
	tolerance time.Duration // negative: no check
	clock     clockwork.Clock
}

// NewVerifier returns a Verifier for cfg, with defaults filled in. No key,
// or an empty one, is an error wrapping [ErrNoKey] that names the field.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.Keys) == 0 {
		return nil, fmt.Errorf("%w: VerifierConfig.Keys is empty", ErrNoKey)
	}
	v := &Verifier{
		macs:      make([]*keyMAC, len(cfg.Keys)),
		tolerance: cmp.Or(cfg.Tolerance, DefaultTolerance),
		clock:     cfg.Clock,
	}
	for i, k := range cfg.Keys {
		if len(k) == 0 {
			return nil, fmt.Errorf("%w: VerifierConfig.Keys[%d] is empty", ErrNoKey, i)
		}
		v.macs[i] = newKeyMAC(k)
	}
	if v.clock == nil {
		v.clock = clockwork.NewRealClock()
	}
	return v, nil
}

// Verify checks a request's headers against body: the Standard Webhooks
// scheme when any of its headers is present, otherwise the Cloud Elements
// scheme ([HeaderElementsSignature], read as [Verifier.VerifyHMAC] reads
// it). Header names match whatever their case, so a map built by hand
// with "webhook-signature" is read as net/http's canonical form, and a
// request that carries any Standard Webhooks header never falls back to
// the Cloud Elements scheme. A missing signature is [ErrMissingHeader].
// Since the Cloud Elements scheme has no timestamp, a consumer that must
// not accept replays calls [Verifier.VerifyStandard], as
// receiver.Receiver does by default.
func (v *Verifier) Verify(body []byte, h http.Header) error {
	sig, hasSig := httpheader.Lookup(h, HeaderWebhookSignature)
	id, hasID := httpheader.Lookup(h, HeaderWebhookID)
	ts, hasTS := httpheader.Lookup(h, HeaderWebhookTimestamp)
	if hasSig || hasID || hasTS {
		return v.VerifyStandard(body, id, ts, sig)
	}
	if sig, _ := httpheader.Lookup(h, HeaderElementsSignature); sig != "" {
		return v.verifyDigest(body, sig, base64Digest, HeaderElementsSignature)
	}
	return fmt.Errorf("%w: neither %s nor %s", ErrMissingHeader, HeaderWebhookSignature, HeaderElementsSignature)
}

// VerifyStandard checks a Standard Webhooks v1 signature: id and timestamp
// are the webhook-id and webhook-timestamp values, signatures the
// space-separated webhook-signature list. Entries of other versions are
// ignored. The timestamp is checked against the tolerance first.
func (v *Verifier) VerifyStandard(body []byte, id, timestamp, signatures string) error {
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
		if decodeDigest(&want, &m.scratch, sig, base64Digest) && hmac.Equal(sum, want[:]) {
			return true
		}
	}
	return false
}

func (v *Verifier) checkTime(unix int64) error {
	tol := v.tolerance
	if tol < 0 {
		return nil
	}
	now := v.clock.Now()
	ts := time.Unix(unix, 0)
	switch {
	case now.Sub(ts) > tol:
		return fmt.Errorf("%w: %s is %v before now, tolerance %v", ErrTooOld, HeaderWebhookTimestamp, now.Sub(ts).Round(time.Second), tol)
	case ts.Sub(now) > tol:
		return fmt.Errorf("%w: %s is %v after now, tolerance %v", ErrTooNew, HeaderWebhookTimestamp, ts.Sub(now).Round(time.Second), tol)
	}
	return nil
}

// VerifyHMAC checks an HMAC-SHA256 of the raw body written in base64
// (standard, or URL-safe), with or without a "sha256=" prefix: the Cloud
// Elements scheme's Elements-Webhook-Signature, which older senders wrote
// bare, and vendor signatures such as WooCommerce's
// X-WC-Webhook-Signature. Other algorithms (sha1=) are
// [ErrMalformedHeader].
func (v *Verifier) VerifyHMAC(body []byte, value string) error {
	return v.verifyDigest(body, value, base64Digest, "signature")
}

// VerifyHMACHex checks an HMAC-SHA256 of the raw body written in
// hexadecimal, either case, with or without a "sha256=" prefix, as
// [Verifier.VerifyHMAC] does for base64.
func (v *Verifier) VerifyHMACHex(body []byte, value string) error {
	return v.verifyDigest(body, value, hexDigest, "signature")
}

func (v *Verifier) verifyDigest(body []byte, value string, enc encoding, header string) error {
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
