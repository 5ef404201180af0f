package signature

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Signer signs notification bodies with one key in both schemes. It is safe
// for concurrent use.
type Signer struct {
	mac *keyMAC
}

// NewSigner returns a Signer for key (see [ParseKey] for how secrets become
// keys). An empty key is an error wrapping [ErrNoKey].
func NewSigner(key Key) (*Signer, error) {
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: empty key", ErrNoKey)
	}
	return &Signer{mac: newKeyMAC(key)}, nil
}

// SetHeaders signs body in both schemes with the same id and timestamp and
// sets the five headers on h: [HeaderElementsID] and
// [HeaderElementsSignature], "sha256=" + base64(HMAC-SHA256(key, body));
// [HeaderWebhookID], [HeaderWebhookTimestamp] and [HeaderWebhookSignature],
// "v1," + base64(HMAC-SHA256(key, id.timestamp.body)). The header values
// share one allocation.
func (s *Signer) SetHeaders(h http.Header, id string, timestamp time.Time, body []byte) {
	// Both signatures and the timestamp go into one buffer that becomes one
	// string; the values are slices of it.
	var buf [128]byte
	b := s.appendElements(buf[:0], body)
	elements := len(b)
	b = s.appendStandard(b, id, timestamp, body)
	standard := len(b)
	b = strconv.AppendInt(b, timestamp.Unix(), 10)
	all := string(b)
	vals := make([]string, 5)
	vals[0], vals[1], vals[2] = id, all[:elements], id
	vals[3], vals[4] = all[standard:], all[elements:standard]
	h[HeaderElementsID] = vals[0:1:1]
	h[HeaderElementsSignature] = vals[1:2:2]
	h[HeaderWebhookID] = vals[2:3:3]
	h[HeaderWebhookTimestamp] = vals[3:4:4]
	h[HeaderWebhookSignature] = vals[4:5:5]
}

// appendElements appends the Cloud Elements signature of body,
// "sha256=" + base64(HMAC-SHA256(key, body)), to dst.
func (s *Signer) appendElements(dst, body []byte) []byte {
	m := s.mac.get()
	defer s.mac.put(m)
	dst = append(dst, "sha256="...)
	return appendBase64(dst, m.sumBody(body))
}

// appendStandard appends the Standard Webhooks v1 signature of the message
// id, timestamp and body, "v1,<base64>", to dst.
func (s *Signer) appendStandard(dst []byte, id string, timestamp time.Time, body []byte) []byte {
	m := s.mac.get()
	defer s.mac.put(m)
	dst = append(dst, "v1,"...)
	return appendBase64(dst, m.sumStandard(id, timestamp.Unix(), body))
}
