package signature_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
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

// newVerifier returns a Verifier for keys, on a fake clock at epoch
// unless cfg sets one.
func newVerifier(t testing.TB, cfg signature.VerifierConfig, keys ...[]byte) *signature.Verifier {
	t.Helper()
	for _, k := range keys {
		cfg.Keys = append(cfg.Keys, k)
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewFakeClockAt(epoch)
	}
	v, err := signature.NewVerifier(cfg)
	require.NoError(t, err)
	return v
}

// signed returns the Cloud Elements and the Standard Webhooks signatures
// that s sets for body with id at ts.
func signed(s *signature.Signer, id string, ts time.Time, body []byte) (elements, standard string) {
	h := http.Header{}
	s.SetHeaders(h, id, ts, body)
	return h.Get(signature.HeaderElementsSignature), h.Get(signature.HeaderWebhookSignature)
}

func TestSignerMatchesTheSchemes(t *testing.T) {
	t.Parallel()
	s := newSigner(t, key)
	content := append([]byte("msg_1."+strconv.FormatInt(epoch.Unix(), 10)+"."), body...)

	h := http.Header{}
	s.SetHeaders(h, "msg_1", epoch, body)
	require.Len(t, h, 5)
	require.Equal(t, "msg_1", h.Get("elements-webhook-id"))
	require.Equal(t, "msg_1", h.Get("webhook-id"))
	require.Equal(t, strconv.FormatInt(epoch.Unix(), 10), h.Get("webhook-timestamp"))
	require.Equal(t, "v1,"+base64.StdEncoding.EncodeToString(mac(key, content)), h.Get("webhook-signature"))
	require.Equal(t, "sha256="+base64.StdEncoding.EncodeToString(mac(key, body)), h.Get("elements-webhook-signature"))

	_, err := signature.NewSigner(nil)
	require.ErrorIs(t, err, signature.ErrNoKey)
}

// TestVerifyHMAC: the Cloud Elements signature and base64 vendor
// signatures, with or without the prefix.
func TestVerifyHMAC(t *testing.T) {
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
	v := newVerifier(t, signature.VerifierConfig{}, otherKy, key)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := v.VerifyHMAC(tt.body, tt.value)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestVerifyHMACHex(t *testing.T) {
	t.Parallel()
	sum := mac(key, body)
	tests := []struct {
		name    string
		value   string
		wantErr error
	}{
		{"hex", hex.EncodeToString(sum), nil},
		{"upper hex with prefix", "sha256=" + strings.ToUpper(hex.EncodeToString(sum)), nil},
		{"base64 where hex expected", base64.StdEncoding.EncodeToString(sum), signature.ErrMalformedHeader},
		{"wrong digest", hex.EncodeToString(mac(otherKy, body)), signature.ErrNoMatch},
		{"empty", "", signature.ErrMissingHeader},
	}
	v := newVerifier(t, signature.VerifierConfig{}, key)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := v.VerifyHMACHex(body, tt.value)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
	// The same digest in base64 is VerifyHMAC's.
	require.NoError(t, v.VerifyHMAC(body, base64.StdEncoding.EncodeToString(sum)))
	require.ErrorIs(t, v.VerifyHMAC(body, hex.EncodeToString(sum)), signature.ErrMalformedHeader)
}

func TestVerifyStandard(t *testing.T) {
	t.Parallel()
	ts := strconv.FormatInt(epoch.Unix(), 10)
	_, good := signed(newSigner(t, key), "msg_1", epoch, body)
	_, other := signed(newSigner(t, otherKy), "msg_1", epoch, body)
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
			v := newVerifier(t, signature.VerifierConfig{Tolerance: tt.tolerate, Clock: clockwork.NewFakeClockAt(now)}, keys...)
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
	v := newVerifier(t, signature.VerifierConfig{}, key)

	h := http.Header{}
	s.SetHeaders(h, "msg_1", epoch, body)
	require.NoError(t, v.Verify(body, h))

	// A request stripped of its Standard Webhooks signature alone keeps
	// that scheme: no downgrade to the Cloud Elements one.
	stripped := h.Clone()
	stripped.Del(signature.HeaderWebhookSignature)
	require.ErrorIs(t, v.Verify(body, stripped), signature.ErrMissingHeader)

	// Under a key written by hand in lower case, the Standard Webhooks
	// headers are still read as such: a wrong signature there fails,
	// though the Cloud Elements one is right.
	lower := http.Header{}
	for k, vs := range h {
		lower[strings.ToLower(k)] = vs
	}
	require.NoError(t, v.Verify(body, lower))
	lower["webhook-signature"] = []string{"v1,AAAA"}
	require.ErrorIs(t, v.Verify(body, lower), signature.ErrNoMatch)

	// Without any Standard Webhooks header the Cloud Elements one is used.
	for _, k := range []string{signature.HeaderWebhookSignature, signature.HeaderWebhookID, signature.HeaderWebhookTimestamp} {
		h.Del(k)
	}
	require.NoError(t, v.Verify(body, h))
	require.ErrorIs(t, v.Verify([]byte("tampered"), h), signature.ErrNoMatch)

	require.ErrorIs(t, v.Verify(body, http.Header{}), signature.ErrMissingHeader)
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	k, err := signature.ParseKey("whsec_" + base64.StdEncoding.EncodeToString([]byte("raw key")))
	require.NoError(t, err)
	require.Equal(t, "raw key", string(k))
	k, err = signature.ParseKey("plain")
	require.NoError(t, err)
	require.Equal(t, "plain", string(k))
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
	v := newVerifier(t, signature.VerifierConfig{}, key)
	h := http.Header{}
	s.SetHeaders(h, "msg_1", epoch, body)
	ts := strconv.FormatInt(epoch.Unix(), 10)
	sig := h.Get("webhook-signature")
	elements := h.Get("elements-webhook-signature")
	require.NoError(t, v.VerifyStandard(body, "msg_1", ts, sig)) // warm the pool
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = v.VerifyStandard(body, "msg_1", ts, sig) }), "VerifyStandard")
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = v.VerifyHMAC(body, elements) }), "VerifyHMAC")
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = v.Verify(body, h) }), "Verify")
	// Signing allocates the string the five header values share, and
	// the slice that holds them, nothing more.
	require.Equal(t, 2.0, testing.AllocsPerRun(100, func() { s.SetHeaders(h, "msg_1", epoch, body) }), "SetHeaders")
}

func TestNewVerifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     signature.VerifierConfig
		wantErr error
		wantMsg string
	}{
		{"no keys", signature.VerifierConfig{}, signature.ErrNoKey, "VerifierConfig.Keys is empty"},
		{"an empty key", signature.VerifierConfig{Keys: []signature.Key{key, nil}}, signature.ErrNoKey, "VerifierConfig.Keys[1]"},
		{"a key", signature.VerifierConfig{Keys: []signature.Key{key}}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := signature.NewVerifier(tt.cfg)
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.NotNil(t, v)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			require.ErrorContains(t, err, tt.wantMsg)
			require.Nil(t, v)
		})
	}
}

// TestNewVerifierDefaults: a zero Tolerance is DefaultTolerance, and a nil
// Clock the real one.
func TestNewVerifierDefaults(t *testing.T) {
	t.Parallel()
	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{key}})
	require.NoError(t, err)
	require.Equal(t, "&signature.Verifier{Keys: 1 [REDACTED], Tolerance: 5m0s}", fmt.Sprint(v))
	now := time.Now()
	_, sig := signed(newSigner(t, key), "msg_1", now, body)
	require.NoError(t, v.VerifyStandard(body, "msg_1", strconv.FormatInt(now.Unix(), 10), sig))
	old := now.Add(-signature.DefaultTolerance - time.Minute)
	_, sig = signed(newSigner(t, key), "msg_1", old, body)
	require.ErrorIs(t, v.VerifyStandard(body, "msg_1", strconv.FormatInt(old.Unix(), 10), sig), signature.ErrTooOld)
}
