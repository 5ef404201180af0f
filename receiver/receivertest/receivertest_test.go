package receivertest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/receiver/receivertest"
	"github.com/a12b7632/elementevents/signature"
)

var (
	t0  = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	key = []byte("receivertest-key")
)

func notification(id string) events.Notification {
	return events.Notification{Message: events.Message{
		EventID:      id,
		ElementKey:   "woocommercerest",
		InstanceID:   "123",
		InstanceTags: []string{},
		Events: []events.WireEvent{{
			EventType: events.Created, ObjectType: "orders", ObjectID: "7",
			ElementKey: "woocommercerest", Date: t0,
		}},
	}}
}

func TestNewRequest(t *testing.T) {
	t.Parallel()
	n := notification("evt-1")
	req := receivertest.NewRequest(t, "https://app.example.com/events", key, n, t0)

	require.Equal(t, http.MethodPost, req.Method)
	require.Equal(t, "https://app.example.com/events", req.URL.String())
	require.Equal(t, "application/json", req.Header.Get("Content-Type"))
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	require.Equal(t, int64(len(body)), req.ContentLength)
	var got events.Notification
	require.NoError(t, json.Unmarshal(body, &got))
	require.Equal(t, n.Message.EventID, got.Message.EventID)
	require.Equal(t, n.Message.Events[0].Date, got.Message.Events[0].Date)

	// Both schemes verify, with the event id and the timestamp given.
	v := newVerifier(t, key, t0)
	require.Equal(t, "evt-1", req.Header.Get(signature.HeaderWebhookID))
	require.Equal(t, "evt-1", req.Header.Get(signature.HeaderElementsID))
	require.NoError(t, v.VerifyStandard(body, req.Header.Get(signature.HeaderWebhookID),
		req.Header.Get(signature.HeaderWebhookTimestamp), req.Header.Get(signature.HeaderWebhookSignature)))
	require.NoError(t, v.VerifyHMAC(body, req.Header.Get(signature.HeaderElementsSignature)))

	other := newVerifier(t, []byte("other"), t0)
	require.ErrorIs(t, other.Verify(body, req.Header), signature.ErrNoMatch)
}

func TestNewRequestFailsTheTest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  []byte
		n    events.Notification
		url  string
	}{
		{"no event id", key, notification(""), "/events"},
		{"no key", nil, notification("evt-1"), "/events"},
		{"bad url", key, notification("evt-1"), "http://[::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ft := &fatalTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				receivertest.NewRequest(ft, tt.url, tt.key, tt.n, t0)
			}()
			<-done
			require.True(t, ft.failed)
			require.Contains(t, ft.msg, "receivertest: NewRequest")
		})
	}
}

// fatalTB records a Fatal and ends the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatal(args ...any) {
	f.failed, f.msg = true, args[0].(string)
	runtime.Goexit()
}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, format
	runtime.Goexit()
}

// A notification request is what a Receiver accepts, served directly or
// sent to a server.
func TestNewRequestReachesReceiver(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(t0)
	var got []string
	rc, err := receiver.New(receiver.Config{
		Keys:  []signature.Key{key},
		Clock: clock,
		Handle: func(_ context.Context, n events.Notification) error {
			got = append(got, n.Message.EventID)
			return nil
		},
	})
	require.NoError(t, err)

	w := httptest.NewRecorder()
	rc.ServeHTTP(w, receivertest.NewRequest(t, "/events", key, notification("evt-1"), clock.Now()))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Do(receivertest.NewRequest(t, srv.URL+"/events", key, notification("evt-2"), clock.Now()))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, []string{"evt-1", "evt-2"}, got)
}

func TestSign(t *testing.T) {
	t.Parallel()
	body := []byte(`{"message":{"eventId":"evt-9"}}`)
	h := receivertest.Sign(key, "evt-9", t0, body)
	require.Equal(t, "application/json", h.Get("Content-Type"))
	require.Equal(t, "1795521600", h.Get(signature.HeaderWebhookTimestamp))
	require.Regexp(t, `^v1,[A-Za-z0-9+/]{43}=$`, h.Get(signature.HeaderWebhookSignature))
	require.Regexp(t, `^sha256=[A-Za-z0-9+/]{43}=$`, h.Get(signature.HeaderElementsSignature))

	tests := []struct {
		name    string
		at      time.Time
		body    []byte
		wantErr error
	}{
		{"now", t0, body, nil},
		{"body changed", t0, []byte(`{"message":{"eventId":"evt-8"}}`), signature.ErrNoMatch},
		{"an hour later", t0.Add(time.Hour), body, signature.ErrTooOld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(t, key, tt.at)
			err := v.Verify(tt.body, h)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}

	require.Panics(t, func() { receivertest.Sign(nil, "evt-9", t0, body) })
}

// newVerifier returns a Verifier for key on a fake clock at now.
func newVerifier(t *testing.T, key []byte, now time.Time) *signature.Verifier {
	t.Helper()
	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{key}, Clock: clockwork.NewFakeClockAt(now)})
	require.NoError(t, err)
	return v
}
