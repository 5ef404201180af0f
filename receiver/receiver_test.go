package receiver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
	recvT0  = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	recvKey = []byte("receiver-test-key")
)

// recvFixture is a Receiver on a fake clock whose Handle records what it
// is given and fails while fail is set; logs holds the errors it logged.
type recvFixture struct {
	rc    *receiver.Receiver
	clock *clockwork.FakeClock
	logs  *recvLogs

	mu      sync.Mutex
	handled []events.Notification
	fail    error
}

func setupReceiver(t *testing.T, edit func(*receiver.Config)) *recvFixture {
	t.Helper()
	f := &recvFixture{clock: clockwork.NewFakeClockAt(recvT0), logs: &recvLogs{}}
	cfg := receiver.Config{
		Keys:   []signature.Key{recvKey},
		Clock:  f.clock,
		Logger: slog.New(f.logs),
		Handle: func(_ context.Context, n events.Notification) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.fail != nil {
				return f.fail
			}
			f.handled = append(f.handled, n)
			return nil
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	rc, err := receiver.New(cfg)
	require.NoError(t, err)
	f.rc = rc
	return f
}

func (f *recvFixture) setFail(err error) {
	f.mu.Lock()
	f.fail = err
	f.mu.Unlock()
}

func (f *recvFixture) got() []events.Notification {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]events.Notification(nil), f.handled...)
}

// serve runs req through h and returns the recorded answer.
func recvServe(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// recvLogs is a slog.Handler that keeps the "err" attribute of each
// record, so tests can check the cause of a refusal with errors.Is.
type recvLogs struct {
	mu   sync.Mutex
	errs []error
}

func (l *recvLogs) Enabled(context.Context, slog.Level) bool { return true }
func (l *recvLogs) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *recvLogs) WithGroup(string) slog.Handler            { return l }
func (l *recvLogs) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && a.Key == "err" {
			l.mu.Lock()
			l.errs = append(l.errs, err)
			l.mu.Unlock()
		}
		return true
	})
	return nil
}

func (l *recvLogs) last() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) == 0 {
		return nil
	}
	return l.errs[len(l.errs)-1]
}

// recvNotification is a one-event notification with the given id.
func recvNotification(id string) events.Notification {
	return events.Notification{Message: events.Message{
		EventID:      id,
		ElementKey:   "woocommercerest",
		InstanceID:   "123",
		InstanceName: "shop",
		InstanceTags: []string{"test"},
		Events: []events.WireEvent{{
			EventType:  events.Updated,
			ObjectType: "customers",
			ObjectID:   "42",
			ElementKey: "woocommercerest",
			HubKey:     "ecommerce",
			Date:       recvT0.Add(-time.Minute),
		}},
		Raw: json.RawMessage(`{"id":42}`),
	}}
}

// recvSignedRequest is a POST of body signed with key in both schemes at at.
func recvSignedRequest(t *testing.T, key []byte, id string, at time.Time, body string) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/events", strings.NewReader(body))
	for k, v := range receivertest.Sign(key, id, at, []byte(body)) {
		req.Header[k] = v
	}
	return req
}

// allowElements opts a Receiver into the Cloud Elements scheme.
func allowElements(c *receiver.Config) { c.AllowElementsScheme = true }

// recvElementsOnly removes the Standard Webhooks headers, as a Cloud
// Elements-style sender would not send them.
func recvElementsOnly(req *http.Request) *http.Request {
	for _, k := range []string{signature.HeaderWebhookID, signature.HeaderWebhookTimestamp, signature.HeaderWebhookSignature} {
		req.Header.Del(k)
	}
	return req
}

func TestReceiverAnswers(t *testing.T) {
	t.Parallel()
	valid, err := json.Marshal(recvNotification("evt-1"))
	require.NoError(t, err)
	big := `{"message":{"eventId":"evt-big","raw":"` + strings.Repeat("x", 1<<20) + `"}}`

	tests := []struct {
		name       string
		edit       func(*receiver.Config)
		req        func(t *testing.T) *http.Request
		wantStatus int
		wantBody   string
		wantErr    error // the cause logged for a refusal
		wantHandle bool
	}{
		{
			name: "valid Standard Webhooks",
			req: func(t *testing.T) *http.Request {
				return receivertest.NewRequest(t, "/events", recvKey, recvNotification("evt-1"), recvT0)
			},
			wantStatus: http.StatusOK, wantBody: "ok", wantHandle: true,
		},
		{
			name: "valid Standard Webhooks alone",
			req: func(t *testing.T) *http.Request {
				req := recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid))
				req.Header.Del(signature.HeaderElementsSignature)
				req.Header.Del(signature.HeaderElementsID)
				return req
			},
			wantStatus: http.StatusOK, wantHandle: true,
		},
		{
			name: "Cloud Elements header only, allowed",
			edit: allowElements,
			req: func(t *testing.T) *http.Request {
				return recvElementsOnly(recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid)))
			},
			wantStatus: http.StatusOK, wantHandle: true,
		},
		{
			name: "Cloud Elements bare base64, no id header, allowed",
			edit: allowElements,
			req: func(t *testing.T) *http.Request {
				req := recvElementsOnly(recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid)))
				req.Header.Set(signature.HeaderElementsSignature, strings.TrimPrefix(req.Header.Get(signature.HeaderElementsSignature), "sha256="))
				req.Header.Del(signature.HeaderElementsID)
				return req
			},
			wantStatus: http.StatusOK, wantHandle: true,
		},
		{
			name: "second key of a rotation",
			edit: func(c *receiver.Config) { c.Keys = []signature.Key{[]byte("new-key"), recvKey} },
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid))
			},
			wantStatus: http.StatusOK, wantHandle: true,
		},
		{
			name: "wrong key",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, []byte("wrong"), "evt-1", recvT0, string(valid))
			},
			wantStatus: http.StatusUnauthorized, wantBody: "signature does not match",
			wantErr: signature.ErrNoMatch,
		},
		{
			name: "wrong key, Cloud Elements only, allowed",
			edit: allowElements,
			req: func(t *testing.T) *http.Request {
				return recvElementsOnly(recvSignedRequest(t, []byte("wrong"), "evt-1", recvT0, string(valid)))
			},
			wantStatus: http.StatusUnauthorized, wantBody: "signature does not match",
			wantErr: signature.ErrNoMatch,
		},
		{
			name: "body changed after signing",
			req: func(t *testing.T) *http.Request {
				req := recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid))
				req.Body = io.NopCloser(strings.NewReader(strings.Replace(string(valid), "42", "43", 1)))
				return req
			},
			wantStatus: http.StatusUnauthorized, wantErr: signature.ErrNoMatch,
		},
		{
			name: "missing signature, Cloud Elements allowed",
			edit: allowElements,
			req: func(t *testing.T) *http.Request {
				return httptest.NewRequest(http.MethodPost, "/events", strings.NewReader(string(valid)))
			},
			wantStatus: http.StatusUnauthorized, wantBody: "missing signature headers",
			wantErr: signature.ErrMissingHeader,
		},
		{
			name: "missing signature",
			req: func(t *testing.T) *http.Request {
				return httptest.NewRequest(http.MethodPost, "/events", strings.NewReader(string(valid)))
			},
			wantStatus: http.StatusUnauthorized, wantBody: "missing signature headers",
			wantErr: signature.ErrMissingHeader,
		},
		{
			name: "Standard signature without timestamp",
			req: func(t *testing.T) *http.Request {
				req := recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid))
				req.Header.Del(signature.HeaderWebhookTimestamp)
				return req
			},
			wantStatus: http.StatusUnauthorized, wantErr: signature.ErrMissingHeader,
		},
		{
			name: "malformed timestamp",
			req: func(t *testing.T) *http.Request {
				req := recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid))
				req.Header.Set(signature.HeaderWebhookTimestamp, "yesterday")
				return req
			},
			wantStatus: http.StatusUnauthorized, wantBody: "malformed signature header",
			wantErr: signature.ErrMalformedHeader,
		},
		{
			name: "too old",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0.Add(-5*time.Minute-time.Second), string(valid))
			},
			wantStatus: http.StatusUnauthorized, wantBody: "outside the tolerance",
			wantErr: signature.ErrTooOld,
		},
		{
			name: "too new",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0.Add(5*time.Minute+time.Second), string(valid))
			},
			wantStatus: http.StatusUnauthorized, wantBody: "outside the tolerance",
			wantErr: signature.ErrTooNew,
		},
		{
			name: "just inside a configured tolerance",
			edit: func(c *receiver.Config) { c.Tolerance = time.Hour },
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0.Add(-time.Hour), string(valid))
			},
			wantStatus: http.StatusOK, wantHandle: true,
		},
		{
			name: "Cloud Elements only, refused by default",
			req: func(t *testing.T) *http.Request {
				return recvElementsOnly(recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid)))
			},
			wantStatus: http.StatusUnauthorized, wantBody: "missing signature headers",
			wantErr: signature.ErrMissingHeader,
		},
		{
			name: "bad JSON",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, `{"message":`)
			},
			wantStatus: http.StatusBadRequest, wantBody: "body is not JSON",
			wantErr: receiver.ErrBadBody,
		},
		{
			name: "JSON but not a notification",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, `{"id":42,"status":"processing"}`)
			},
			wantStatus: http.StatusBadRequest, wantBody: "body is not a notification",
			wantErr: receiver.ErrBadBody,
		},
		{
			name: "empty message",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, `{"message":{}}`)
			},
			wantStatus: http.StatusBadRequest, wantBody: "body is not a notification",
			wantErr: receiver.ErrBadBody,
		},
		{
			name: "message of the wrong type",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, `{"message":"hello"}`)
			},
			wantStatus: http.StatusBadRequest, wantBody: "body is not a notification",
			wantErr: receiver.ErrBadBody,
		},
		{
			name: "empty body",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, ``)
			},
			wantStatus: http.StatusBadRequest, wantErr: receiver.ErrBadBody,
		},
		{
			name: "nil body, as a client request may have",
			req: func(t *testing.T) *http.Request {
				req := recvSignedRequest(t, recvKey, "evt-1", recvT0, ``)
				req.Body = nil
				return req
			},
			wantStatus: http.StatusBadRequest, wantErr: receiver.ErrBadBody,
		},
		{
			name: "over the default limit",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-big", recvT0, big)
			},
			wantStatus: http.StatusRequestEntityTooLarge, wantBody: "too large",
			wantErr: receiver.ErrTooLarge,
		},
		{
			name: "over a configured limit, no Content-Length",
			edit: func(c *receiver.Config) { c.MaxBodyBytes = int64(len(valid)) - 1 },
			req: func(t *testing.T) *http.Request {
				req := recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid))
				req.ContentLength = -1
				return req
			},
			wantStatus: http.StatusRequestEntityTooLarge, wantErr: receiver.ErrTooLarge,
		},
		{
			name: "exactly at a configured limit",
			edit: func(c *receiver.Config) { c.MaxBodyBytes = int64(len(valid)) },
			req: func(t *testing.T) *http.Request {
				req := recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid))
				req.ContentLength = -1
				return req
			},
			wantStatus: http.StatusOK, wantHandle: true,
		},
		{
			name: "GET",
			req: func(t *testing.T) *http.Request {
				return httptest.NewRequest(http.MethodGet, "/events", nil)
			},
			wantStatus: http.StatusMethodNotAllowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setupReceiver(t, tt.edit)
			w := recvServe(f.rc, tt.req(t))
			require.Equal(t, tt.wantStatus, w.Code, "body: %s", w.Body)
			require.Equal(t, "text/plain; charset=utf-8", w.Header().Get("Content-Type"))
			require.Contains(t, w.Body.String(), tt.wantBody)
			require.NotContains(t, w.Body.String(), string(recvKey))
			require.Less(t, w.Body.Len(), 80, "answers are short")
			if tt.wantStatus == http.StatusMethodNotAllowed {
				require.Equal(t, http.MethodPost, w.Header().Get("Allow"))
			}
			if tt.wantErr != nil {
				err := f.logs.last()
				require.ErrorIs(t, err, tt.wantErr)
				if tt.wantStatus == http.StatusUnauthorized {
					require.ErrorIs(t, err, receiver.ErrBadSignature)
				}
			}
			if !tt.wantHandle {
				require.Empty(t, f.got(), "Handle is not called")
				return
			}
			got := f.got()
			require.Len(t, got, 1)
			want := recvNotification("evt-1")
			require.Equal(t, want.Message.EventID, got[0].Message.EventID)
			require.Equal(t, want.Message.Events, got[0].Message.Events)
			require.JSONEq(t, string(want.Message.Raw), string(got[0].Message.Raw))
		})
	}
}

func (d recvFailingDeduper) Seen(context.Context, string) (bool, error)        { return false, d.err }
func (d recvFailingDeduper) Mark(context.Context, string, time.Duration) error { return d.err }

func (d recvMarkFailingDeduper) Seen(context.Context, string) (bool, error)        { return false, nil }
func (d recvMarkFailingDeduper) Mark(context.Context, string, time.Duration) error { return d.err }

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     receiver.Config
		wantErr error
		wantMsg string
	}{
		{name: "no keys", cfg: receiver.Config{}, wantErr: signature.ErrNoKey},
		{name: "an empty key", cfg: receiver.Config{Keys: []signature.Key{recvKey, nil}}, wantErr: signature.ErrNoKey, wantMsg: "Keys[1]"},
		{name: "negative MaxBodyBytes", cfg: receiver.Config{Keys: []signature.Key{recvKey}, MaxBodyBytes: -1}, wantMsg: "MaxBodyBytes"},
		{name: "negative DedupeTTL", cfg: receiver.Config{Keys: []signature.Key{recvKey}, DedupeTTL: -time.Second}, wantMsg: "DedupeTTL"},
		{name: "only a key", cfg: receiver.Config{Keys: []signature.Key{recvKey}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc, err := receiver.New(tt.cfg)
			if tt.wantErr == nil && tt.wantMsg == "" {
				require.NoError(t, err)
				require.NotNil(t, rc)
				return
			}
			require.Error(t, err)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			}
			require.ErrorContains(t, err, tt.wantMsg)
		})
	}
}

// The Receiver keeps its own copy of the keys.
func TestNewCopiesKeys(t *testing.T) {
	t.Parallel()
	key := []byte("mutable-key")
	f := setupReceiver(t, func(c *receiver.Config) { c.Keys = []signature.Key{key} })
	signedWith := append([]byte(nil), key...)
	key[0] = 'X'
	w := recvServe(f.rc, receivertest.NewRequest(t, "/events", signedWith, recvNotification("evt-1"), f.clock.Now()))
	require.Equal(t, http.StatusOK, w.Code)
}
