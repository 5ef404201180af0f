package signature_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/signature"
)

var (
	key     = []byte("a-signature-key")
	otherKy = []byte("another-key")
	body    = []byte(`{"message":{"eventId":"abc","events":[]}}`)
	epoch   = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
)

func mac(k, data []byte) []byte {
	h := hmac.New(sha256.New, k)
	h.Write(data)
	return h.Sum(nil)
}

func newSigner(t testing.TB, k []byte) *signature.Signer {
	t.Helper()
	s, err := signature.NewSigner(k)
	require.NoError(t, err)
	return s
}

func TestSignerMatchesTheSchemes(t *testing.T) {
	t.Parallel()
	s := newSigner(t, key)
	require.Equal(t, "sha256="+base64.StdEncoding.EncodeToString(mac(key, body)), s.Elements(body))
	signed := append([]byte("msg_1."+strconv.FormatInt(epoch.Unix(), 10)+"."), body...)
	require.Equal(t, "v1,"+base64.StdEncoding.EncodeToString(mac(key, signed)), s.Standard("msg_1", epoch, body))

	h := http.Header{}
	s.SetHeaders(h, "msg_1", epoch, body)
	require.Equal(t, "msg_1", h.Get("elements-webhook-id"))
	require.Equal(t, "msg_1", h.Get("webhook-id"))
	require.Equal(t, strconv.FormatInt(epoch.Unix(), 10), h.Get("webhook-timestamp"))
	require.Equal(t, s.Standard("msg_1", epoch, body), h.Get("webhook-signature"))
	require.Equal(t, s.Elements(body), h.Get("elements-webhook-signature"))

	_, err := signature.NewSigner(nil)
	require.ErrorIs(t, err, signature.ErrNoKey)
}

func TestVerifyElements(t *testing.T) {
	t.Parallel()
	good := base64.StdEncoding.EncodeToString(mac(key, body))
	tests := []struct {
		name    string
		value   string
		body    []byte
		wantErr error
	}{
		{"sha256 prefix", "sha256=" + good, body, nil},
		{"SHA256 prefix", "SHA256=" + good, body, nil},
		{"bare base64 from older senders", good, body, nil},
		{"url-safe base64", base64.URLEncoding.EncodeToString(mac(key, body)), body, nil},
		{"other key's signature", "sha256=" + base64.StdEncoding.EncodeToString(mac([]byte("x"), body)), body, signature.ErrNoMatch},
		{"body changed", "sha256=" + good, append([]byte(" "), body...), signature.ErrNoMatch},
		{"sha1 refused", "sha1=" + base64.StdEncoding.EncodeToString(make([]byte, 20)), body, signature.ErrMalformedHeader},
		{"sha1 refused even if digest matches", "sha1=" + good, body, signature.ErrMalformedHeader},
		{"not base64", "sha256=!!!!", body, signature.ErrMalformedHeader},
		{"truncated", "sha256=" + good[:20], body, signature.ErrMalformedHeader},
		{"hex is not base64", "sha256=" + hex.EncodeToString(mac(key, body)), body, signature.ErrMalformedHeader},
		{"empty", "", body, signature.ErrMissingHeader},
		{"huge", "sha256=" + string(make([]byte, 1<<20)), body, signature.ErrMalformedHeader},
	}
	v := signature.NewVerifier(otherKy, key)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := v.VerifyElements(tt.body, tt.value)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestVerifyHMAC(t *testing.T) {
	t.Parallel()
	sum := mac(key, body)
	tests := []struct {
		name    string
		value   string
		enc     signature.Encoding
		wantErr error
	}{
		{"woocommerce bare base64", base64.StdEncoding.EncodeToString(sum), signature.Base64, nil},
		{"hex", hex.EncodeToString(sum), signature.Hex, nil},
		{"upper hex with prefix", "sha256=" + hex.EncodeToString(sum), signature.Hex, nil},
		{"base64 where hex expected", base64.StdEncoding.EncodeToString(sum), signature.Hex, signature.ErrMalformedHeader},
		{"wrong digest", hex.EncodeToString(mac(otherKy, body)), signature.Hex, signature.ErrNoMatch},
	}
	v := signature.NewVerifier(key)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := v.VerifyHMAC(body, tt.value, tt.enc)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestVerifyStandard(t *testing.T) {
	t.Parallel()
	ts := strconv.FormatInt(epoch.Unix(), 10)
	s := newSigner(t, key)
	good := s.Standard("msg_1", epoch, body)
	other := newSigner(t, otherKy).Standard("msg_1", epoch, body)
	tests := []struct {
		name     string
		id, ts   string
		sigs     string
		now      time.Time
		keys     [][]byte
		tolerate time.Duration
		wantErr  error
	}{
		{name: "valid", id: "msg_1", ts: ts, sigs: good},
		{name: "rotation: second signature matches", id: "msg_1", ts: ts, sigs: other + " " + good},
		{name: "rotation: second key matches", id: "msg_1", ts: ts, sigs: other, keys: [][]byte{key, otherKy}},
		{name: "unknown versions ignored", id: "msg_1", ts: ts, sigs: "v2,abc v1a,zzz " + good},
		{name: "only unknown versions", id: "msg_1", ts: ts, sigs: "v2," + good[3:], wantErr: signature.ErrNoMatch},
		{name: "garbage entries ignored", id: "msg_1", ts: ts, sigs: "nonsense ,, v1, v1,!!! " + good},
		{name: "wrong id", id: "msg_2", ts: ts, sigs: good, wantErr: signature.ErrNoMatch},
		{name: "wrong key", id: "msg_1", ts: ts, sigs: other, wantErr: signature.ErrNoMatch},
		{name: "just inside tolerance, past", id: "msg_1", ts: ts, sigs: good, now: epoch.Add(5 * time.Minute)},
		{name: "too old", id: "msg_1", ts: ts, sigs: good, now: epoch.Add(5*time.Minute + time.Second), wantErr: signature.ErrTooOld},
		{name: "just inside tolerance, future", id: "msg_1", ts: ts, sigs: good, now: epoch.Add(-5 * time.Minute)},
		{name: "too new", id: "msg_1", ts: ts, sigs: good, now: epoch.Add(-5*time.Minute - time.Second), wantErr: signature.ErrTooNew},
		{name: "custom tolerance", id: "msg_1", ts: ts, sigs: good, now: epoch.Add(time.Minute), tolerate: 30 * time.Second, wantErr: signature.ErrTooOld},
		{name: "tolerance disabled", id: "msg_1", ts: ts, sigs: good, now: epoch.Add(1000 * time.Hour), tolerate: -1},
		{name: "timestamp not a number", id: "msg_1", ts: "yesterday", sigs: good, wantErr: signature.ErrMalformedHeader},
		{name: "negative timestamp", id: "msg_1", ts: "-5", sigs: good, wantErr: signature.ErrMalformedHeader},
		{name: "timestamp overflow", id: "msg_1", ts: "99999999999999999999999", sigs: good, wantErr: signature.ErrMalformedHeader},
		{name: "missing id", ts: ts, sigs: good, wantErr: signature.ErrMissingHeader},
		{name: "missing timestamp", id: "msg_1", sigs: good, wantErr: signature.ErrMissingHeader},
		{name: "missing signature", id: "msg_1", ts: ts, wantErr: signature.ErrMissingHeader},
		{name: "no keys", id: "msg_1", ts: ts, sigs: good, keys: [][]byte{}, wantErr: signature.ErrNoKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := tt.now
			if now.IsZero() {
				now = epoch
			}
			keys := tt.keys
			if keys == nil {
				keys = [][]byte{key}
			}
			v := &signature.Verifier{Keys: keys, Tolerance: tt.tolerate, Clock: clockwork.NewFakeClockAt(now)}
			err := v.VerifyStandard(body, tt.id, tt.ts, tt.sigs)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestVerifyHeaders(t *testing.T) {
	t.Parallel()
	s := newSigner(t, key)
	v := &signature.Verifier{Keys: [][]byte{key}, Clock: clockwork.NewFakeClockAt(epoch)}

	h := http.Header{}
	s.SetHeaders(h, "msg_1", epoch, body)
	require.NoError(t, v.Verify(body, h))

	// Without the Standard Webhooks headers the Cloud Elements one is used.
	h.Del(signature.HeaderWebhookSignature)
	require.NoError(t, v.Verify(body, h))
	require.ErrorIs(t, v.Verify([]byte("tampered"), h), signature.ErrNoMatch)

	require.ErrorIs(t, v.Verify(body, http.Header{}), signature.ErrMissingHeader)
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	k, err := signature.ParseKey("whsec_" + base64.StdEncoding.EncodeToString([]byte("raw key")))
	require.NoError(t, err)
	require.Equal(t, []byte("raw key"), k)
	k, err = signature.ParseKey("plain")
	require.NoError(t, err)
	require.Equal(t, []byte("plain"), k)
	for _, bad := range []string{"", "whsec_", "whsec_***"} {
		_, err := signature.ParseKey(bad)
		require.ErrorIs(t, err, signature.ErrNoKey, bad)
	}
}

func TestVerifyAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	s := newSigner(t, key)
	v := &signature.Verifier{Keys: [][]byte{key}, Clock: clockwork.NewFakeClockAt(epoch)}
	h := http.Header{}
	s.SetHeaders(h, "msg_1", epoch, body)
	ts := strconv.FormatInt(epoch.Unix(), 10)
	sig := h.Get("webhook-signature")
	elements := h.Get("elements-webhook-signature")
	require.NoError(t, v.VerifyStandard(body, "msg_1", ts, sig)) // warm the pool
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = v.VerifyStandard(body, "msg_1", ts, sig) }), "VerifyStandard")
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = v.VerifyElements(body, elements) }), "VerifyElements")
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = v.Verify(body, h) }), "Verify")
	var buf [64]byte
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = s.AppendStandard(buf[:0], "msg_1", epoch, body) }), "AppendStandard")
}
