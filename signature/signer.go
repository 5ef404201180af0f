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
func NewSigner(key []byte) (*Signer, error) {
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: empty key", ErrNoKey)
	}
	return &Signer{mac: newKeyMAC(key)}, nil
}

// AppendElements appends the Cloud Elements signature of body,
// "sha256=" + base64(HMAC-SHA256(key, body)), to dst.
func (s *Signer) AppendElements(dst, body []byte) []byte {
	m := s.mac.get()
	defer s.mac.put(m)
	dst = append(dst, "sha256="...)
	return appendBase64(dst, m.sumBody(body))
}

// Elements returns the Cloud Elements signature of body, the value of
// [HeaderElementsSignature].
func (s *Signer) Elements(body []byte) string {
	var buf [64]byte
	return string(s.AppendElements(buf[:0], body))
}

// AppendStandard appends the Standard Webhooks v1 signature of the message
// id, timestamp and body, "v1,<base64>", to dst.
func (s *Signer) AppendStandard(dst []byte, id string, timestamp time.Time, body []byte) []byte {
	m := s.mac.get()
	defer s.mac.put(m)
	dst = append(dst, "v1,"...)
	return appendBase64(dst, m.sumStandard(id, timestamp.Unix(), body))
}

// Standard returns the Standard Webhooks v1 signature, one entry of
// [HeaderWebhookSignature].
func (s *Signer) Standard(id string, timestamp time.Time, body []byte) string {
	var buf [64]byte
	return string(s.AppendStandard(buf[:0], id, timestamp, body))
}

// SetHeaders signs body in both schemes with the same id and timestamp and
// sets the five headers on h.
func (s *Signer) SetHeaders(h http.Header, id string, timestamp time.Time, body []byte) {
	h[HeaderElementsID] = []string{id}
	h[HeaderElementsSignature] = []string{s.Elements(body)}
	h[HeaderWebhookID] = []string{id}
	h[HeaderWebhookTimestamp] = []string{strconv.FormatInt(timestamp.Unix(), 10)}
	h[HeaderWebhookSignature] = []string{s.Standard(id, timestamp, body)}
}
