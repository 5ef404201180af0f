package signature_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/signature"
)

const keySecret = "TOPSECRET-hmac-key"

// TestKeyNeverPrints prints a Key, and a Verifier, every way a host might,
// and finds neither the key's bytes nor their base64 or hex.
func TestKeyNeverPrints(t *testing.T) {
	t.Parallel()
	k := signature.Key(keySecret)
	type holder struct {
		Key  signature.Key
		Keys []signature.Key
	}
	for name, v := range map[string]any{
		"Key":    k,
		"*Key":   &k,
		"struct": holder{Key: k, Keys: []signature.Key{k}},
		// Not a *holder: see the Key doc on fmt's bad-verb reports.
		"Verifier": newVerifier(t, signature.VerifierConfig{Tolerance: time.Minute}, []byte(keySecret)),
	} {
		var forms []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v"} {
			forms = append(forms, fmt.Sprintf(verb, v), fmt.Sprintf(verb, []any{v}))
		}
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var b bytes.Buffer
			slog.New(h(&b)).Info("m", "v", v, slog.Group("g", "v", v))
			forms = append(forms, b.String())
		}
		if name != "Verifier" { // a Verifier prints and logs redacted; it is no JSON value
			j, err := json.Marshal(v)
			require.NoError(t, err)
			forms = append(forms, string(j))
		}
		for _, s := range forms {
			for _, enc := range []string{keySecret, base64.StdEncoding.EncodeToString([]byte(keySecret)),
				hex.EncodeToString([]byte(keySecret)), strings.ToUpper(hex.EncodeToString([]byte(keySecret))),
				strings.Trim(fmt.Sprint([]byte(keySecret)), "[]")} {
				require.NotContains(t, s, enc, "%s printed as %s", name, s)
			}
		}
	}
}

func TestKeyForms(t *testing.T) {
	t.Parallel()
	k := signature.Key(keySecret)
	require.Equal(t, "[REDACTED]", k.String())
	require.Equal(t, "[REDACTED]", fmt.Sprintf("%v", k))
	require.Equal(t, `"[REDACTED]"`, fmt.Sprintf("%q", k))
	require.Equal(t, `signature.Key("[REDACTED]")`, fmt.Sprintf("%#v", k))
	require.Equal(t, "", signature.Key(nil).String(), "an empty key shows nothing")
	j, err := json.Marshal(k)
	require.NoError(t, err)
	require.Equal(t, `"[REDACTED]"`, string(j))
	text, err := k.MarshalText()
	require.NoError(t, err)
	require.Equal(t, "[REDACTED]", string(text))
	require.Error(t, json.Unmarshal(j, &k), "a redacted key does not come back as a key")
	require.Equal(t, "&signature.Verifier{Keys: 1 [REDACTED], Tolerance: 1m0s}", fmt.Sprint(newVerifier(t, signature.VerifierConfig{Tolerance: time.Minute}, []byte(keySecret))))
}

// TestKeySigns: a Key is the bytes it holds, for signing and verifying.
func TestKeySigns(t *testing.T) {
	t.Parallel()
	k := signature.Key(keySecret)
	sg, err := signature.NewSigner(k)
	require.NoError(t, err)
	h := http.Header{}
	sg.SetHeaders(h, "id-1", epoch, []byte(`{}`))
	require.NoError(t, newVerifier(t, signature.VerifierConfig{}, []byte(keySecret)).Verify([]byte(`{}`), h))
	require.Equal(t, keySecret, string(k))
}
