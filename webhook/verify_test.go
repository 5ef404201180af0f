package webhook

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/signature"
)

func TestNewVerifier(t *testing.T) {
	t.Parallel()
	hmacDef := element.Webhook{SignatureScheme: vocab.SignatureHMACSHA256, SignatureHeader: "X-Sig", SecretKey: "webhook.secret"}
	tests := []struct {
		name      string
		w         element.Webhook
		secret    string
		wantErr   string
		verifies  bool
		wantHex   bool
		wantHdr   string
		wantSchem string
	}{
		{"zero value is none", element.Webhook{}, "s", "", false, false, "", vocab.SignatureNone},
		{"none ignores a secret", element.Webhook{SignatureScheme: vocab.SignatureNone, SecretKey: "k"}, "s", "", false, false, "", vocab.SignatureNone},
		{"hmac defaults to base64", hmacDef, "s", "", true, false, "X-Sig", vocab.SignatureHMACSHA256},
		{"hmac hex", func() element.Webhook { w := hmacDef; w.SignatureEncoding = "hex"; return w }(), "s", "", true, true, "X-Sig", vocab.SignatureHMACSHA256},
		{"hmac without secret", hmacDef, "", "", false, false, "X-Sig", vocab.SignatureHMACSHA256},
		{"hmac without header", element.Webhook{SignatureScheme: vocab.SignatureHMACSHA256}, "s", "needs a signatureHeader", false, false, "", ""},
		{"unknown encoding", func() element.Webhook { w := hmacDef; w.SignatureEncoding = "base32"; return w }(), "s", `unknown signatureEncoding "base32"`, false, false, "", ""},
		{"unknown scheme", element.Webhook{SignatureScheme: "rsa"}, "s", `unknown signatureScheme "rsa"`, false, false, "", ""},
		{"standard webhooks, raw secret", element.Webhook{SignatureScheme: vocab.SignatureStandardWebhooks, SecretKey: "k"}, "plain", "", true, false, "", vocab.SignatureStandardWebhooks},
		{"standard webhooks, bad whsec_", element.Webhook{SignatureScheme: vocab.SignatureStandardWebhooks, SecretKey: "k"}, "whsec_%%", "configuration key k", false, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vf, err := newVerifier(tt.w, tt.secret, nil, 0)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.NotContains(t, err.Error(), "%%")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.verifies, vf.verifies())
			require.Equal(t, tt.wantHex, vf.hex)
			require.Equal(t, tt.wantHdr, vf.header)
			require.Equal(t, tt.wantSchem, vf.scheme)
			if !vf.verifies() {
				require.NoError(t, vf.verify([]byte("x"), http.Header{}), "unverified instances accept all")
			}
		})
	}
}

func TestVerifierPresent(t *testing.T) {
	t.Parallel()
	std, err := newVerifier(element.Webhook{SignatureScheme: vocab.SignatureStandardWebhooks, SecretKey: "k"}, "s", nil, 0)
	require.NoError(t, err)
	require.False(t, std.present(http.Header{}))
	require.True(t, std.present(http.Header{"Webhook-Signature": {"v1,x"}}))
	err = std.verify([]byte("x"), http.Header{})
	require.ErrorIs(t, err, ErrBadSignature)
	require.ErrorIs(t, err, signature.ErrMissingHeader)
	require.Equal(t, "missing signature", signatureReason(err))

	none, err := newVerifier(element.Webhook{}, "", nil, 0)
	require.NoError(t, err)
	require.False(t, none.present(http.Header{"Webhook-Signature": {"v1,x"}}))
	require.Equal(t, "signature does not verify", signatureReason(errors.New("x")))
}
