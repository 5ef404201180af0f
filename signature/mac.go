package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strconv"
	"sync"
)

// macState is the reusable state of one HMAC computation: the keyed hash and
// fixed buffers, so that signing and verifying allocate nothing once the
// pool is warm.
type macState struct {
	h       hash.Hash
	sum     [sha256.Size]byte
	scratch [128]byte
}

// keyMAC computes HMAC-SHA256 with one key, from a pool of states.
type keyMAC struct {
	pool sync.Pool
}

func newKeyMAC(key []byte) *keyMAC {
	key = append([]byte(nil), key...)
	k := &keyMAC{}
	k.pool.New = func() any { return &macState{h: hmac.New(sha256.New, key)} }
	return k
}

func (k *keyMAC) get() *macState {
	m := k.pool.Get().(*macState)
	m.h.Reset()
	return m
}

func (k *keyMAC) put(m *macState) { k.pool.Put(m) }

// writeString feeds s to the hash through the scratch buffer: converting a
// string to []byte for an interface call would allocate.
func (m *macState) writeString(s string) {
	for len(s) > 0 {
		n := copy(m.scratch[:], s)
		m.h.Write(m.scratch[:n])
		s = s[n:]
	}
}

// sumBody returns HMAC(body).
func (m *macState) sumBody(body []byte) []byte {
	m.h.Write(body)
	return m.h.Sum(m.sum[:0])
}

// sumStandard returns HMAC(id + "." + unix + "." + body), the Standard
// Webhooks signed content, without building it.
func (m *macState) sumStandard(id string, unix int64, body []byte) []byte {
	m.writeString(id)
	b := append(m.scratch[:0], '.')
	b = strconv.AppendInt(b, unix, 10)
	b = append(b, '.')
	m.h.Write(b)
	m.h.Write(body)
	return m.h.Sum(m.sum[:0])
}

// encoding is how a signature digest is written.
type encoding int

// The digest encodings.
const (
	// base64Digest is standard base64 with padding (URL-safe is also
	// read).
	base64Digest encoding = iota
	// hexDigest is hexadecimal, either case.
	hexDigest
)

// String names the encoding, for messages.
func (e encoding) String() string {
	if e == hexDigest {
		return "hex"
	}
	return "base64"
}

// decodeDigest decodes a signature written in enc into dst, without
// allocating. ok is false unless it is exactly one SHA-256 digest.
func decodeDigest(dst *[sha256.Size]byte, scratch *[128]byte, s string, enc encoding) bool {
	if len(s) > len(scratch) {
		return false
	}
	src := scratch[:copy(scratch[:], s)]
	var buf [64]byte
	var n int
	var err error
	switch enc {
	case hexDigest:
		if len(src) != hex.EncodedLen(sha256.Size) {
			return false
		}
		n, err = hex.Decode(buf[:], src)
	default:
		if len(src) != base64.StdEncoding.EncodedLen(sha256.Size) {
			return false
		}
		n, err = base64.StdEncoding.Decode(buf[:], src)
		if err != nil {
			n, err = base64.URLEncoding.Decode(buf[:], src)
		}
	}
	if err != nil || n != sha256.Size {
		return false
	}
	copy(dst[:], buf[:n])
	return true
}

// appendBase64 appends the base64 of a digest.
func appendBase64(dst, sum []byte) []byte {
	return base64.StdEncoding.AppendEncode(dst, sum)
}
