package interop_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/signature"
)

// The Standard Webhooks reference library checks timestamps against the
// real clock, so these tests sign at the real time.

func TestInteropOursVerifiedByStandardWebhooks(t *testing.T) {
	t.Parallel()
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("interop secret key"))
	k, err := signature.ParseKey(secret)
	require.NoError(t, err)
	s := newSigner(t, k)
	h := http.Header{}
	s.SetHeaders(h, "msg_2ZGzLbSKEhWuKAHxkbmR6sZzAv5", time.Now(), body)

	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	require.NoError(t, wh.Verify(body, h))
	require.Error(t, wh.Verify([]byte("tampered"), h))
}

func TestInteropStandardWebhooksVerifiedByOurs(t *testing.T) {
	t.Parallel()
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("interop secret key"))
	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	now := time.Now()
	sig, err := wh.Sign("msg_1", now, body)
	require.NoError(t, err)

	k, err := signature.ParseKey(secret)
	require.NoError(t, err)
	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{k}})
	require.NoError(t, err)
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", sig)
	require.NoError(t, v.Verify(body, h))
	require.ErrorIs(t, v.Verify([]byte("tampered"), h), signature.ErrNoMatch)
}
