package signature_test

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/signature"
)

// FuzzVerify feeds arbitrary header values to every verification path: no
// panic, and nothing but the real signature passes.
func FuzzVerify(f *testing.F) {
	s, _ := signature.NewSigner(key)
	elements, standard := signed(s, "msg_1", epoch, body)
	f.Add("msg_1", strconv.FormatInt(epoch.Unix(), 10), standard, elements, body)
	f.Add("", "-1", "v1,", "sha1=abc", []byte{})
	f.Add("msg", "99999999999999999999", "v1,a v2,b  v1,,", "sha256==", []byte("x"))
	f.Fuzz(func(t *testing.T, id, ts, sigs, elements string, payload []byte) {
		v := newVerifier(t, signature.VerifierConfig{Tolerance: -1}, key)
		if v.VerifyStandard(payload, id, ts, sigs) == nil {
			unix, err := strconv.ParseInt(ts, 10, 64)
			if err != nil {
				t.Fatalf("accepted a timestamp that is not Unix seconds: %q", ts)
			}
			_, standard := signed(s, id, time.Unix(unix, 0), payload)
			want := digestOf(standard[len("v1,"):])
			found := false
			for entry := range strings.FieldsSeq(sigs) {
				if sig, ok := strings.CutPrefix(entry, "v1,"); ok && bytes.Equal(digestOf(sig), want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("accepted a forged signature list %q", sigs)
			}
		}
		if v.VerifyHMAC(payload, elements) == nil {
			_, digest, ok := strings.Cut(elements, "=")
			if !ok || len(elements) == 44 {
				digest = elements
			}
			real, _ := signed(s, id, epoch, payload)
			if !bytes.Equal(digestOf(digest), digestOf(real[len("sha256="):])) {
				t.Fatalf("accepted a forged Elements signature %q", elements)
			}
		}
		_ = v.VerifyHMACHex(payload, elements)
	})
}

// digestOf decodes standard or URL-safe base64, nil if neither.
func digestOf(s string) []byte {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b
	}
	b, _ := base64.URLEncoding.DecodeString(s)
	return b
}
