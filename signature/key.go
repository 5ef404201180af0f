package signature

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// whsecPrefix marks a Standard Webhooks secret written as base64.
const whsecPrefix = "whsec_"

// ParseKey returns the HMAC key for a secret as users write it: a
// "whsec_<base64>" secret, as the Standard Webhooks specification writes
// them, is decoded; anything else (such as an
// event.notification.signature.key) is used as raw bytes.
func ParseKey(secret string) (Key, error) {
	if secret == "" {
		return nil, fmt.Errorf("%w: empty secret", ErrNoKey)
	}
	b64, ok := strings.CutPrefix(secret, whsecPrefix)
	if !ok {
		return Key(secret), nil
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("%w: whsec_ secret is not valid base64", ErrNoKey)
	}
	return Key(key), nil
}
