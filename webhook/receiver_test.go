package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/webhook"
	"github.com/a12b7632/elementevents/webhook/webhooktest"
)

var (
	recvT0  = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	recvKey = []byte("receiver-test-key")
)

// recvFixture is a Receiver on a fake clock whose Handle records what it
// is given and fails while fail is set; logs holds the errors it logged.
type recvFixture struct {
	rc    *webhook.Receiver
	clock *clockwork.FakeClock
	logs  *recvLogs

	mu      sync.Mutex
	handled []events.Notification
	fail    error
}

func setupReceiver(t *testing.T, edit func(*webhook.ReceiverConfig)) *recvFixture {
	t.Helper()
	f := &recvFixture{clock: clockwork.NewFakeClockAt(recvT0), logs: &recvLogs{}}
	cfg := webhook.ReceiverConfig{
		Keys:   [][]byte{recvKey},
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
	rc, err := webhook.NewReceiver(cfg)
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
	for k, v := range webhooktest.SignNotification(key, id, at, []byte(body)) {
		req.Header[k] = v
	}
	return req
}

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
		edit       func(*webhook.ReceiverConfig)
		req        func(t *testing.T) *http.Request
		wantStatus int
		wantBody   string
		wantErr    error // the cause logged for a refusal
		wantHandle bool
	}{
		{
			name: "valid Standard Webhooks",
			req: func(t *testing.T) *http.Request {
				return webhooktest.NewNotificationRequest(t, "/events", recvKey, recvNotification("evt-1"), recvT0)
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
			name: "Cloud Elements header only",
			req: func(t *testing.T) *http.Request {
				return recvElementsOnly(recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid)))
			},
			wantStatus: http.StatusOK, wantHandle: true,
		},
		{
			name: "Cloud Elements bare base64, no id header",
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
			edit: func(c *webhook.ReceiverConfig) { c.Keys = [][]byte{[]byte("new-key"), recvKey} },
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
			name: "wrong key, Cloud Elements only",
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
			edit: func(c *webhook.ReceiverConfig) { c.Tolerance = time.Hour },
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0.Add(-time.Hour), string(valid))
			},
			wantStatus: http.StatusOK, wantHandle: true,
		},
		{
			name: "StandardOnly refuses Cloud Elements only",
			edit: func(c *webhook.ReceiverConfig) { c.StandardOnly = true },
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
			wantErr: webhook.ErrBadBody,
		},
		{
			name: "JSON but not a notification",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, `{"id":42,"status":"processing"}`)
			},
			wantStatus: http.StatusBadRequest, wantBody: "body is not a notification",
			wantErr: webhook.ErrBadBody,
		},
		{
			name: "empty message",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, `{"message":{}}`)
			},
			wantStatus: http.StatusBadRequest, wantBody: "body is not a notification",
			wantErr: webhook.ErrBadBody,
		},
		{
			name: "message of the wrong type",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, `{"message":"hello"}`)
			},
			wantStatus: http.StatusBadRequest, wantBody: "body is not a notification",
			wantErr: webhook.ErrBadBody,
		},
		{
			name: "empty body",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-1", recvT0, ``)
			},
			wantStatus: http.StatusBadRequest, wantErr: webhook.ErrBadBody,
		},
		{
			name: "nil body, as a client request may have",
			req: func(t *testing.T) *http.Request {
				req := recvSignedRequest(t, recvKey, "evt-1", recvT0, ``)
				req.Body = nil
				return req
			},
			wantStatus: http.StatusBadRequest, wantErr: webhook.ErrBadBody,
		},
		{
			name: "over the default limit",
			req: func(t *testing.T) *http.Request {
				return recvSignedRequest(t, recvKey, "evt-big", recvT0, big)
			},
			wantStatus: http.StatusRequestEntityTooLarge, wantBody: "too large",
			wantErr: webhook.ErrTooLarge,
		},
		{
			name: "over a configured limit, no Content-Length",
			edit: func(c *webhook.ReceiverConfig) { c.MaxBodyBytes = int64(len(valid)) - 1 },
			req: func(t *testing.T) *http.Request {
				req := recvSignedRequest(t, recvKey, "evt-1", recvT0, string(valid))
				req.ContentLength = -1
				return req
			},
			wantStatus: http.StatusRequestEntityTooLarge, wantErr: webhook.ErrTooLarge,
		},
		{
			name: "exactly at a configured limit",
			edit: func(c *webhook.ReceiverConfig) { c.MaxBodyBytes = int64(len(valid)) },
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
					require.ErrorIs(t, err, webhook.ErrBadSignature)
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

func TestReceiverDuplicate(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, nil)
	n := recvNotification("evt-dup")
	req := func() *http.Request {
		return webhooktest.NewNotificationRequest(t, "/events", recvKey, n, f.clock.Now())
	}

	require.Equal(t, http.StatusOK, recvServe(f.rc, req()).Code)
	w := recvServe(f.rc, req())
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "duplicate")

	// The Cloud Elements id header is not signed: changing it does not
	// make the same body a new notification.
	body, err := json.Marshal(n)
	require.NoError(t, err)
	forged := recvElementsOnly(recvSignedRequest(t, recvKey, "evt-dup", f.clock.Now(), string(body)))
	forged.Header.Set(signature.HeaderElementsID, "something-else")
	w = recvServe(f.rc, forged)
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "duplicate")

	require.Len(t, f.got(), 1, "Handle is called once")

	// After the TTL the id is forgotten.
	f.clock.Advance(webhook.DefaultDedupeTTL)
	w = recvServe(f.rc, req())
	require.Equal(t, http.StatusOK, w.Code)
	require.NotContains(t, w.Body.String(), "duplicate")
	require.Len(t, f.got(), 2)
}

func TestReceiverHandleErrorThenRetry(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, nil)
	n := recvNotification("evt-retry")
	send := func() *httptest.ResponseRecorder {
		return recvServe(f.rc, webhooktest.NewNotificationRequest(t, "/events", recvKey, n, f.clock.Now()))
	}

	boom := errors.New("database is down: password=hunter2")
	f.setFail(boom)
	w := send()
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.NotContains(t, w.Body.String(), "hunter2", "the handler's error is logged, not answered")
	require.ErrorIs(t, f.logs.last(), boom)
	require.Empty(t, f.got())

	f.setFail(nil)
	f.clock.Advance(5 * time.Second) // the Notifier's second attempt
	w = send()
	require.Equal(t, http.StatusOK, w.Code)
	require.NotContains(t, w.Body.String(), "duplicate", "a failed attempt is not marked")
	require.Len(t, f.got(), 1)

	w = send()
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "duplicate")
	require.Len(t, f.got(), 1)
}

// A retry that arrives while the first attempt is still being handled is
// told to come back, and then finds it handled.
func TestReceiverRetryWhileHandling(t *testing.T) {
	t.Parallel()
	entered, unblock := make(chan struct{}), make(chan struct{})
	var calls int
	f := setupReceiver(t, func(c *webhook.ReceiverConfig) {
		c.Handle = func(context.Context, events.Notification) error {
			calls++
			close(entered)
			<-unblock
			return nil
		}
	})
	n := recvNotification("evt-slow")
	first := make(chan int)
	go func() {
		first <- recvServe(f.rc, webhooktest.NewNotificationRequest(t, "/events", recvKey, n, f.clock.Now())).Code
	}()
	<-entered

	w := recvServe(f.rc, webhooktest.NewNotificationRequest(t, "/events", recvKey, n, f.clock.Now()))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)

	// Another notification is not held up.
	other := recvServe(f.rc, webhooktest.NewNotificationRequest(t, "/events", []byte("wrong"), recvNotification("evt-other"), f.clock.Now()))
	require.Equal(t, http.StatusUnauthorized, other.Code)

	close(unblock)
	require.Equal(t, http.StatusOK, <-first)
	w = recvServe(f.rc, webhooktest.NewNotificationRequest(t, "/events", recvKey, n, f.clock.Now()))
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "duplicate")
	require.Equal(t, 1, calls)
}

// recvFailingDeduper fails every call.
type recvFailingDeduper struct{ err error }

func (d recvFailingDeduper) Seen(context.Context, string) (bool, error)        { return false, d.err }
func (d recvFailingDeduper) Mark(context.Context, string, time.Duration) error { return d.err }

func TestReceiverDeduperDown(t *testing.T) {
	t.Parallel()
	down := errors.New("redis: connection refused")
	f := setupReceiver(t, func(c *webhook.ReceiverConfig) { c.Deduper = recvFailingDeduper{down} })
	w := recvServe(f.rc, webhooktest.NewNotificationRequest(t, "/events", recvKey, recvNotification("evt-1"), f.clock.Now()))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "retried by the Notifier")
	require.NotContains(t, w.Body.String(), "redis")
	require.ErrorIs(t, f.logs.last(), down)
	require.Empty(t, f.got())
}

func TestReceiverMiddleware(t *testing.T) {
	t.Parallel()
	n := recvNotification("evt-mw")
	body, err := json.Marshal(n)
	require.NoError(t, err)

	tests := []struct {
		name     string
		status   int // what next answers; 0 writes nothing
		wantMark bool
	}{
		{"writes nothing", 0, true},
		{"writes a body only", -1, true},
		{"200", http.StatusOK, true},
		{"202", http.StatusAccepted, true},
		{"204", http.StatusNoContent, true},
		{"400: may be replayed once fixed", http.StatusBadRequest, false},
		{"429: retried", http.StatusTooManyRequests, false},
		{"500: retried", http.StatusInternalServerError, false},
		{"503: retried", http.StatusServiceUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setupReceiver(t, func(c *webhook.ReceiverConfig) { c.Handle = nil })
			var mu sync.Mutex
			var calls int
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, err := io.ReadAll(r.Body)
				require.NoError(t, err)
				require.Equal(t, body, got, "the body is restored")
				require.Equal(t, int64(len(body)), r.ContentLength)
				note, ok := webhook.NotificationFromContext(r.Context())
				require.True(t, ok)
				require.Equal(t, n.Message.EventID, note.Message.EventID)
				require.Equal(t, n.Message.Events, note.Message.Events)
				mu.Lock()
				calls++
				mu.Unlock()
				switch tt.status {
				case 0:
				case -1:
					io.WriteString(w, "thanks")
				default:
					w.WriteHeader(tt.status)
				}
			})
			h := f.rc.Middleware(next)

			w := recvServe(h, recvSignedRequest(t, recvKey, "evt-mw", f.clock.Now(), string(body)))
			require.Equal(t, max(tt.status, http.StatusOK), w.Code)
			if tt.status == -1 {
				require.Equal(t, "thanks", w.Body.String())
			}
			w = recvServe(h, recvSignedRequest(t, recvKey, "evt-mw", f.clock.Now(), string(body)))
			if tt.wantMark {
				require.Equal(t, http.StatusOK, w.Code)
				require.Contains(t, w.Body.String(), "duplicate")
				require.Equal(t, 1, calls, "next is not called for a duplicate")
			} else {
				require.Equal(t, 2, calls, "the retry reaches next")
			}
		})
	}
}

func TestReceiverMiddlewareRefuses(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, nil)
	h := f.rc.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("next is called")
	}))
	require.Equal(t, http.StatusUnauthorized,
		recvServe(h, webhooktest.NewNotificationRequest(t, "/events", []byte("wrong"), recvNotification("evt-1"), f.clock.Now())).Code)
	require.Equal(t, http.StatusMethodNotAllowed, recvServe(h, httptest.NewRequest(http.MethodGet, "/events", nil)).Code)

	// Handle runs first, and its failure stops the request.
	f.setFail(errors.New("no"))
	require.Equal(t, http.StatusInternalServerError,
		recvServe(h, webhooktest.NewNotificationRequest(t, "/events", recvKey, recvNotification("evt-1"), f.clock.Now())).Code)
}

// The next handler keeps what the server's ResponseWriter offers:
// flushing, and deadlines through http.ResponseController.
func TestReceiverMiddlewareResponseController(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, func(c *webhook.ReceiverConfig) { c.Handle = nil })
	errs := make(chan error, 2)
	h := f.rc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		errs <- rc.SetWriteDeadline(time.Time{})
		errs <- rc.Flush()
		w.(http.Flusher).Flush()
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Do(webhooktest.NewNotificationRequest(t, srv.URL, recvKey, recvNotification("evt-1"), f.clock.Now()))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, <-errs, "SetWriteDeadline reaches the server's writer")
	require.NoError(t, <-errs, "Flush")
}

// An informational answer (103 Early Hints) is not the final status: a
// 503 after it still leaves the notification unmarked.
func TestReceiverMiddlewareInformational(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, func(c *webhook.ReceiverConfig) { c.Handle = nil })
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(f.rc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusServiceUnavailable)
	})))
	t.Cleanup(srv.Close)
	for range 2 {
		resp, err := srv.Client().Do(webhooktest.NewNotificationRequest(t, srv.URL, recvKey, recvNotification("evt-1"), f.clock.Now()))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 2, calls)
}

// recvMarkFailingDeduper sees nothing and cannot mark.
type recvMarkFailingDeduper struct{ err error }

func (d recvMarkFailingDeduper) Seen(context.Context, string) (bool, error)        { return false, nil }
func (d recvMarkFailingDeduper) Mark(context.Context, string, time.Duration) error { return d.err }

// A notification handled but not marked is still answered 200: a 5xx
// would only bring a retry that the Deduper cannot catch either.
func TestReceiverMarkFails(t *testing.T) {
	t.Parallel()
	down := errors.New("redis: read only")
	f := setupReceiver(t, func(c *webhook.ReceiverConfig) { c.Deduper = recvMarkFailingDeduper{down} })
	w := recvServe(f.rc, webhooktest.NewNotificationRequest(t, "/events", recvKey, recvNotification("evt-1"), f.clock.Now()))
	require.Equal(t, http.StatusOK, w.Code)
	require.ErrorIs(t, f.logs.last(), down)
	require.Len(t, f.got(), 1)
}

func TestNotificationFromContextEmpty(t *testing.T) {
	t.Parallel()
	_, ok := webhook.NotificationFromContext(context.Background())
	require.False(t, ok)
}

func TestNewReceiver(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     webhook.ReceiverConfig
		wantErr error
		wantMsg string
	}{
		{name: "no keys", cfg: webhook.ReceiverConfig{}, wantErr: signature.ErrNoKey},
		{name: "an empty key", cfg: webhook.ReceiverConfig{Keys: [][]byte{recvKey, nil}}, wantErr: signature.ErrNoKey, wantMsg: "Keys[1]"},
		{name: "negative MaxBodyBytes", cfg: webhook.ReceiverConfig{Keys: [][]byte{recvKey}, MaxBodyBytes: -1}, wantMsg: "MaxBodyBytes"},
		{name: "negative DedupeTTL", cfg: webhook.ReceiverConfig{Keys: [][]byte{recvKey}, DedupeTTL: -time.Second}, wantMsg: "DedupeTTL"},
		{name: "only a key", cfg: webhook.ReceiverConfig{Keys: [][]byte{recvKey}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc, err := webhook.NewReceiver(tt.cfg)
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
func TestNewReceiverCopiesKeys(t *testing.T) {
	t.Parallel()
	key := []byte("mutable-key")
	f := setupReceiver(t, func(c *webhook.ReceiverConfig) { c.Keys = [][]byte{key} })
	signedWith := append([]byte(nil), key...)
	key[0] = 'X'
	w := recvServe(f.rc, webhooktest.NewNotificationRequest(t, "/events", signedWith, recvNotification("evt-1"), f.clock.Now()))
	require.Equal(t, http.StatusOK, w.Code)
}

// A request captured on the wire and sent again once its timestamp is
// outside the tolerance is refused, though its signature is good.
func TestReceiverReplayOutsideTolerance(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, nil)
	var (
		mu       sync.Mutex
		captured *http.Request
		body     []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		if captured == nil {
			captured, body = r.Clone(context.Background()), b
		}
		mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		f.rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	send := func(h http.Header, b []byte) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/events", strings.NewReader(string(b)))
		require.NoError(t, err)
		req.Header = h.Clone()
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		text, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(text)
	}

	resp, err := srv.Client().Do(webhooktest.NewNotificationRequest(t, srv.URL+"/events", recvKey, recvNotification("evt-replay"), f.clock.Now()))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, f.got(), 1)

	f.clock.Advance(5*time.Minute + time.Second)
	status, text := send(captured.Header, body)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, text, "outside the tolerance")
	require.ErrorIs(t, f.logs.last(), signature.ErrTooOld)
	require.ErrorIs(t, f.logs.last(), webhook.ErrBadSignature)

	// Stripped of the Standard Webhooks headers, the replay falls back to
	// the Cloud Elements signature, which has no timestamp: the Deduper
	// still recognises the signed eventId.
	stripped := captured.Header.Clone()
	for _, k := range []string{signature.HeaderWebhookID, signature.HeaderWebhookTimestamp, signature.HeaderWebhookSignature} {
		stripped.Del(k)
	}
	stripped.Set(signature.HeaderElementsID, "forged")
	status, text = send(stripped, body)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, text, "duplicate")
	require.Len(t, f.got(), 1, "the replay is not handled")
}

// A Notifier delivers to a Receiver over HTTP while the key is rotated:
// during the overlap both keys are accepted, afterwards only the new one.
func TestReceiverNotifierRoundTripKeyRotation(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(recvT0)
	oldKey, newKey := []byte("old-signing-key"), []byte("new-signing-key")

	var mu sync.Mutex
	var handled []events.Notification
	newRC := func(keys ...[]byte) *webhook.Receiver {
		rc, err := webhook.NewReceiver(webhook.ReceiverConfig{
			Keys:   keys,
			Clock:  clock,
			Logger: slog.New(slog.DiscardHandler),
			Handle: func(_ context.Context, n events.Notification) error {
				mu.Lock()
				handled = append(handled, n)
				mu.Unlock()
				return nil
			},
		})
		require.NoError(t, err)
		return rc
	}
	var current struct {
		sync.Mutex
		rc *webhook.Receiver
	}
	current.rc = newRC(newKey, oldKey)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Lock()
		rc := current.rc
		current.Unlock()
		rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	n, err := events.New(events.Config{
		Clock:  clock,
		Guard:  netguard.Guard{AllowPrivate: true},
		Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})

	publish := func(objectID string, key []byte) string {
		t.Helper()
		date := recvT0.Add(-time.Minute)
		e := events.Event{
			ID:         events.NewID("123", "customers", objectID, events.Updated, date),
			Type:       events.Updated,
			ObjectType: "customers",
			ObjectID:   objectID,
			ElementKey: "woocommercerest",
			Date:       date,
		}
		require.NoError(t, n.Publish(ctx, events.Batch{
			Instance: events.Instance{ID: "123", Name: "shop", ElementKey: "woocommercerest"},
			Endpoint: events.Endpoint{URL: srv.URL + "/events", Key: key},
			Source:   events.FromWebhook,
			Events:   []events.Event{e},
		}))
		return e.ID
	}
	waitFor := func(what string, cond func(events.Stats) bool) {
		t.Helper()
		require.Eventually(t, func() bool { return cond(n.Stats()) }, 10*time.Second, time.Millisecond, "%s: %+v", what, n.Stats())
	}

	// Overlap: the receiver knows both keys.
	idOld := publish("1", oldKey)
	waitFor("old key delivered", func(s events.Stats) bool { return s.Delivered == 1 })
	idNew := publish("2", newKey)
	waitFor("new key delivered", func(s events.Stats) bool { return s.Delivered == 2 })

	// Rotation done: the old key is dropped.
	current.Lock()
	current.rc = newRC(newKey)
	current.Unlock()
	idStale := publish("3", oldKey)
	waitFor("old key refused", func(s events.Stats) bool { return s.Dead == 1 })
	idFresh := publish("4", newKey)
	waitFor("new key still delivered", func(s events.Stats) bool { return s.Delivered == 3 })

	mu.Lock()
	var ids []string
	for _, h := range handled {
		ids = append(ids, h.Message.EventID)
		require.Equal(t, "123", h.Message.InstanceID)
		require.Len(t, h.Message.Events, 1)
	}
	mu.Unlock()
	require.Equal(t, []string{idOld, idNew, idFresh}, ids)

	dead, err := n.Outbox().List(t.Context(), events.Filter{State: events.Dead})
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Equal(t, idStale, dead[0].ID)
	require.Len(t, dead[0].Attempts, 1)
	require.Equal(t, http.StatusUnauthorized, dead[0].Attempts[0].Status)
	require.Contains(t, string(dead[0].Attempts[0].Response), "signature does not match")
}
