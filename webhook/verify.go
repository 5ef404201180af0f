package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/signature"
)

// verifier checks the signature of an instance's webhooks with the scheme
// its element definition names. It is built once per instance and is safe
// for concurrent use.
type verifier struct {
	scheme string
	header string // canonical; the HMAC signature header
	prefix string // the definition's SignaturePrefix, stripped before decoding
	hex    bool   // the HMAC digest is hex, not base64

	// v is nil when the scheme is none or the instance has no secret:
	// every request is then accepted.
	v *signature.Verifier
}

// newVerifier compiles a definition's webhook signature settings with the
// instance's secret ("" when it has none).
func newVerifier(w element.Webhook, secret string, clock clockwork.Clock, tolerance time.Duration) (*verifier, error) {
	vf := &verifier{scheme: w.SignatureScheme}
	switch vf.scheme {
	case "", vocab.SignatureNone:
		vf.scheme = vocab.SignatureNone
		return vf, nil
	case vocab.SignatureHMACSHA256:
		if w.SignatureHeader == "" {
			return nil, errors.New("webhook definition: hmac-sha256 needs a signatureHeader")
		}
		vf.header = textproto.CanonicalMIMEHeaderKey(w.SignatureHeader)
		vf.prefix = w.SignaturePrefix
		switch w.SignatureEncoding {
		case "", vocab.EncodingBase64:
		case vocab.EncodingHex:
			vf.hex = true
		default:
			return nil, fmt.Errorf("webhook definition: unknown signatureEncoding %s", quote.String(w.SignatureEncoding))
		}
	case vocab.SignatureStandardWebhooks:
	default:
		return nil, fmt.Errorf("webhook definition: unknown signatureScheme %s", quote.String(string(w.SignatureScheme)))
	}
	if secret == "" {
		return vf, nil
	}
	key := signature.Key(secret)
	if vf.scheme == vocab.SignatureStandardWebhooks {
		// Standard Webhooks secrets are usually whsec_<base64>.
		k, err := signature.ParseKey(secret)
		if err != nil {
			return nil, fmt.Errorf("webhook secret (configuration key %s): %w", w.SecretKey, err)
		}
		key = k
	}
	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{key}, Tolerance: tolerance, Clock: clock})
	if err != nil {
		return nil, fmt.Errorf("webhook secret (configuration key %s): %w", w.SecretKey, err)
	}
	vf.v = v
	return vf, nil
}

// verifies reports whether requests are checked at all.
func (vf *verifier) verifies() bool { return vf.v != nil }

// present reports whether a request carries a signature of the scheme, so
// that an unsigned vendor ping can be told from a signed webhook.
func (vf *verifier) present(h http.Header) bool {
	switch vf.scheme {
	case vocab.SignatureHMACSHA256:
		return len(h[vf.header]) > 0
	case vocab.SignatureStandardWebhooks:
		return len(h[signature.HeaderWebhookSignature]) > 0
	}
	return false
}

// verify checks the signature of payload, the raw bytes as received. Errors
// wrap [ErrBadSignature] and the signature package's sentinel.
func (vf *verifier) verify(payload []byte, h http.Header) error {
	if vf.v == nil {
		return nil
	}
	var err error
	switch vf.scheme {
	case vocab.SignatureHMACSHA256:
		err = vf.verifyHMAC(payload, h[vf.header])
	case vocab.SignatureStandardWebhooks:
		err = vf.v.VerifyStandard(payload, firstHeader(h, signature.HeaderWebhookID),
			firstHeader(h, signature.HeaderWebhookTimestamp), firstHeader(h, signature.HeaderWebhookSignature))
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

// verifyHMAC accepts the request when any value of the signature header
// verifies. Each value may carry the definition's prefix, or "sha256=";
// VerifyHMAC strips the latter.
func (vf *verifier) verifyHMAC(payload []byte, values []string) error {
	if len(values) == 0 {
		return fmt.Errorf("%w: %s", signature.ErrMissingHeader, vf.header)
	}
	var err error
	for _, value := range values {
		value = strings.TrimSpace(value)
		if n := len(vf.prefix); n > 0 && len(value) >= n && strings.EqualFold(value[:n], vf.prefix) {
			value = value[n:]
		}
		var e error
		if vf.hex {
			e = vf.v.VerifyHMACHex(payload, value)
		} else {
			e = vf.v.VerifyHMAC(payload, value)
		}
		if e == nil {
			return nil
		}
		// Report a mismatch rather than a malformed value of another
		// rotation slot.
		if err == nil || errors.Is(e, signature.ErrNoMatch) {
			err = e
		}
	}
	return err
}

// signatureReason is the 401 text: why, without anything of the request.
func signatureReason(err error) string {
	switch {
	case errors.Is(err, signature.ErrMissingHeader):
		return "missing signature"
	case errors.Is(err, signature.ErrTooOld), errors.Is(err, signature.ErrTooNew):
		return "signature timestamp outside the tolerance"
	case errors.Is(err, signature.ErrMalformedHeader):
		return "malformed signature"
	}
	return "signature does not verify"
}
