package webhook

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/signature"
)

// recvDefaultMaxBody is the body limit of a Receiver whose
// ReceiverConfig.MaxBodyBytes is zero: ten times the largest notification
// the Notifier sends by default is far below it.
const recvDefaultMaxBody = 1 << 20

// ReceiverConfig configures a [Receiver]. Only Keys is required; every
// other field documents its default.
type ReceiverConfig struct {
	// Keys verify the signatures; a request signed with any of them is
	// accepted, so a key is rotated by listing the new one first and
	// dropping the old one once the sender has switched. Each is the raw
	// key bytes (see [signature.ParseKey] for "whsec_" secrets and
	// event.notification.signature.key values). Required, none empty.
	Keys [][]byte

	// Tolerance bounds how far the webhook-timestamp of a Standard
	// Webhooks request may be from Clock, either way. Zero means
	// [signature.DefaultTolerance] (5 minutes); negative disables the check
	// (and with it the protection against replays older than DedupeTTL).
	Tolerance time.Duration

	// Clock tells the time for the tolerance check and the default
	// Deduper. Default: the real clock.
	Clock clockwork.Clock

	// MaxBodyBytes bounds the request body; a larger one is answered 413.
	// Zero means 1 MiB; negative is an error.
	MaxBodyBytes int64

	// StandardOnly refuses requests signed only in the Cloud Elements
	// scheme. That scheme signs the body alone, with no timestamp, so a
	// captured request stripped of its Standard Webhooks headers stays
	// valid forever and only the Deduper (for DedupeTTL) stops its replay.
	// Set it when every sender signs in the Standard Webhooks scheme, as
	// the Notifier does. False (the zero value) accepts both schemes.
	StandardOnly bool

	// Deduper remembers the ids of notifications already handled; a
	// notification seen again is answered 200 without calling Handle or
	// the next handler. Default: a [MemoryDeduper] on Clock, which one
	// process does not share with another.
	Deduper Deduper

	// DedupeTTL is how long a handled id is remembered. Zero means
	// [DefaultDedupeTTL]; negative is an error.
	DedupeTTL time.Duration

	// Handle, if set, is called with each verified, decoded notification
	// that was not seen before, with the request's context. An error is
	// answered 500, so that the Notifier retries, and the id is not
	// marked as handled. For the middleware it runs before the next
	// handler, which is not called when it fails. Nil: [Receiver.ServeHTTP]
	// only verifies, dedupes and answers 200.
	Handle func(ctx context.Context, n events.Notification) error

	// Logger receives one line per refused request and per failure of
	// Handle or the Deduper. Bodies and keys are never logged. Default:
	// slog.Default().
	Logger *slog.Logger
}

// Receiver verifies and decodes the notifications a [events.Notifier]
// sends (or any Cloud Elements-style sender), for the service at the
// callback URL. Use it as an [http.Handler] that calls
// ReceiverConfig.Handle, or wrap your own handler with
// [Receiver.Middleware].
//
// For each request it checks, in order:
//
//   - the method is POST (else 405);
//   - the body is at most MaxBodyBytes (else 413);
//   - a signature verifies against one of the Keys: the Standard Webhooks
//     scheme (webhook-id, webhook-timestamp, webhook-signature) when
//     webhook-signature is present, its timestamp within Tolerance of the
//     clock, otherwise the Cloud Elements scheme (Elements-Webhook-Signature)
//     (else 401);
//   - the body is a notification: a JSON object whose "message" has an
//     eventId or events (else 400);
//   - its id was not handled before (else 200, and nothing is called).
//
// The id is the webhook-id of a Standard Webhooks request, which the
// signature covers. In the Cloud Elements scheme only the body is signed,
// so the id is the body's message.eventId, and Elements-Webhook-Id only
// when the body has none.
//
// Answers are short plain text that name the failed check and nothing
// secret; the detail goes to the Logger, as an error wrapping
// [ErrBadSignature] (and the signature package's sentinel), [ErrBadBody]
// or [ErrTooLarge].
//
// A Receiver is safe for concurrent use. While a notification's id is
// being handled, another request with the same id reaching the same
// Receiver is answered 503, so that a sender's retry of a slow delivery
// neither runs Handle twice nor is lost: its next retry finds the id
// marked and is answered 200. Across processes only a shared Deduper
// catches duplicates, and only once the first one is marked.
type Receiver struct {
	verifier     *signature.Verifier
	maxBody      int64
	standardOnly bool
	dedupe       Deduper
	ttl          time.Duration
	handle       func(context.Context, events.Notification) error
	log          *slog.Logger

	mu       sync.Mutex
	inflight map[string]struct{} // ids being handled in this process
}

var _ http.Handler = (*Receiver)(nil)

// NewReceiver returns a Receiver for cfg, with defaults filled in. A
// missing or empty key is an error wrapping [signature.ErrNoKey].
func NewReceiver(cfg ReceiverConfig) (*Receiver, error) {
	if len(cfg.Keys) == 0 {
		return nil, fmt.Errorf("webhook: ReceiverConfig.Keys is empty: %w", signature.ErrNoKey)
	}
	keys := make([][]byte, len(cfg.Keys))
	for i, k := range cfg.Keys {
		if len(k) == 0 {
			return nil, fmt.Errorf("webhook: ReceiverConfig.Keys[%d] is empty: %w", i, signature.ErrNoKey)
		}
		keys[i] = bytes.Clone(k)
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("webhook: ReceiverConfig.MaxBodyBytes is negative: %d", cfg.MaxBodyBytes)
	}
	if cfg.DedupeTTL < 0 {
		return nil, fmt.Errorf("webhook: ReceiverConfig.DedupeTTL is negative: %v", cfg.DedupeTTL)
	}
	clock := cfg.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	rc := &Receiver{
		verifier:     &signature.Verifier{Keys: keys, Tolerance: cfg.Tolerance, Clock: clock},
		maxBody:      cmp.Or(cfg.MaxBodyBytes, recvDefaultMaxBody),
		standardOnly: cfg.StandardOnly,
		dedupe:       cfg.Deduper,
		ttl:          cmp.Or(cfg.DedupeTTL, DefaultDedupeTTL),
		handle:       cfg.Handle,
		log:          cfg.Logger,
		inflight:     make(map[string]struct{}),
	}
	if rc.dedupe == nil {
		rc.dedupe = NewMemoryDeduper(clock)
	}
	if rc.log == nil {
		rc.log = slog.Default()
	}
	return rc, nil
}

// ServeHTTP verifies, dedupes and decodes the notification, calls Handle
// and answers 200, or answers the failed check's status.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in, ok := rc.admit(w, r)
	if !ok {
		return
	}
	defer rc.release(in.id)
	if !rc.runHandle(w, r, in) {
		return
	}
	rc.mark(r.Context(), in.id)
	recvWrite(w, http.StatusOK, "ok")
}

// Middleware returns a handler that verifies, dedupes and decodes the
// notification like ServeHTTP, calls Handle if set, and then calls next
// with the notification in the request's context (read it with
// [NotificationFromContext]) and r.Body restored to the bytes received,
// so next can read the body itself. A refused request is answered as
// ServeHTTP answers it, and a duplicate 200, without calling next.
//
// The id is marked as handled only when next answers 2xx (writing nothing
// counts as 200): after a 5xx, 408 or 429 the Notifier retries, and after
// any other 4xx the notification is dead-lettered and may be replayed, and
// each of those must reach next again.
func (rc *Receiver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, ok := rc.admit(w, r)
		if !ok {
			return
		}
		defer rc.release(in.id)
		if !rc.runHandle(w, r, in) {
			return
		}
		r2 := r.WithContext(context.WithValue(r.Context(), recvContextKey{}, in.note))
		r2.Body = io.NopCloser(bytes.NewReader(in.body))
		r2.ContentLength = int64(len(in.body))
		sw := &recvStatusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r2)
		if status := cmp.Or(sw.status, http.StatusOK); status >= 200 && status < 300 {
			rc.mark(r.Context(), in.id)
		}
	})
}

// recvContextKey keys the notification in a request's context.
type recvContextKey struct{}

// NotificationFromContext returns the notification that
// [Receiver.Middleware] verified and decoded, from the context of the
// request it passes to the next handler.
func NotificationFromContext(ctx context.Context) (events.Notification, bool) {
	n, ok := ctx.Value(recvContextKey{}).(events.Notification)
	return n, ok
}

// recvAdmitted is a request that passed every check and holds its id's
// in-flight slot.
type recvAdmitted struct {
	body []byte
	note events.Notification
	id   string // dedupe key; empty when the request carries none
}

// admit runs the checks. When it returns false it has answered the
// request; when true the caller must release the id.
func (rc *Receiver) admit(w http.ResponseWriter, r *http.Request) (recvAdmitted, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		rc.refuse(w, r, http.StatusMethodNotAllowed, "method not allowed: notifications are POSTed",
			fmt.Errorf("webhook: method %s", r.Method))
		return recvAdmitted{}, false
	}
	body, err := rc.readBody(w, r)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			rc.refuse(w, r, http.StatusRequestEntityTooLarge, "request body too large", err)
		} else {
			rc.refuse(w, r, http.StatusBadRequest, "cannot read request body", err)
		}
		return recvAdmitted{}, false
	}
	standard := recvFirst(r.Header, signature.HeaderWebhookSignature) != ""
	if rc.standardOnly && !standard {
		err = fmt.Errorf("%w: %w: %s is required", ErrBadSignature, signature.ErrMissingHeader, signature.HeaderWebhookSignature)
	} else if verr := rc.verifier.Verify(body, r.Header); verr != nil {
		err = fmt.Errorf("%w: %w", ErrBadSignature, verr)
	}
	if err != nil {
		rc.refuse(w, r, http.StatusUnauthorized, recvSignatureMessage(err), err)
		return recvAdmitted{}, false
	}
	note, err := recvDecode(body)
	if err != nil {
		msg := "body is not a notification"
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			msg = "body is not JSON"
		}
		rc.refuse(w, r, http.StatusBadRequest, msg, err)
		return recvAdmitted{}, false
	}
	in := recvAdmitted{body: body, note: note}
	if standard {
		in.id = recvFirst(r.Header, signature.HeaderWebhookID)
	} else {
		in.id = cmp.Or(note.Message.EventID, recvFirst(r.Header, signature.HeaderElementsID))
	}
	if in.id == "" {
		return in, true // nothing to dedupe on
	}

	// Take the slot before asking the Deduper: a concurrent request either
	// finds the slot taken or, once it is released, the id marked.
	rc.mu.Lock()
	_, busy := rc.inflight[in.id]
	if !busy {
		rc.inflight[in.id] = struct{}{}
	}
	rc.mu.Unlock()
	if busy {
		rc.refuse(w, r, http.StatusServiceUnavailable, "notification already being handled; retry later",
			fmt.Errorf("webhook: id %s is being handled", quote.String(in.id)))
		return recvAdmitted{}, false
	}
	seen, err := rc.dedupe.Seen(r.Context(), in.id)
	if err != nil {
		rc.release(in.id)
		rc.refuse(w, r, http.StatusServiceUnavailable, "cannot check for duplicates; retry later",
			fmt.Errorf("webhook: deduper: %w", err))
		return recvAdmitted{}, false
	}
	if seen {
		rc.release(in.id)
		rc.log.DebugContext(r.Context(), "webhook: duplicate notification", "id", in.id)
		recvWrite(w, http.StatusOK, "ok (duplicate)")
		return recvAdmitted{}, false
	}
	return in, true
}

// readBody reads at most maxBody bytes; more is an error wrapping
// ErrTooLarge, and the server closes the connection after answering.
func (rc *Receiver) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > rc.maxBody {
		return nil, fmt.Errorf("%w: Content-Length %d is over the limit of %d bytes", ErrTooLarge, r.ContentLength, rc.maxBody)
	}
	if r.Body == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, rc.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, fmt.Errorf("%w: over the limit of %d bytes", ErrTooLarge, rc.maxBody)
		}
		return nil, fmt.Errorf("%w: %w", ErrBadBody, err)
	}
	return buf.Bytes(), nil
}

// recvDecode reads a notification; a body with no message, or a message
// with neither eventId nor events, is not one.
func recvDecode(body []byte) (events.Notification, error) {
	var env struct {
		Message *events.Message `json:"message"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return events.Notification{}, fmt.Errorf("%w: %w", ErrBadBody, err)
	}
	switch {
	case env.Message == nil:
		return events.Notification{}, fmt.Errorf("%w: no message object", ErrBadBody)
	case env.Message.EventID == "" && len(env.Message.Events) == 0:
		return events.Notification{}, fmt.Errorf("%w: message has neither eventId nor events", ErrBadBody)
	}
	return events.Notification{Message: *env.Message}, nil
}

// runHandle calls Handle, if set; on error it answers 500 and returns
// false.
func (rc *Receiver) runHandle(w http.ResponseWriter, r *http.Request, in recvAdmitted) bool {
	if rc.handle == nil {
		return true
	}
	if err := rc.handle(r.Context(), in.note); err != nil {
		rc.log.ErrorContext(r.Context(), "webhook: notification handler failed", "id", in.id, "err", err)
		recvWrite(w, http.StatusInternalServerError, "notification not handled; retry later")
		return false
	}
	return true
}

// mark remembers a handled id, even if the sender has hung up meanwhile.
// A failure is logged, not answered: the notification was handled, and a
// 5xx would only bring a retry that the Deduper cannot catch either.
func (rc *Receiver) mark(ctx context.Context, id string) {
	if id == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err := rc.dedupe.Mark(ctx, id, rc.ttl); err != nil {
		rc.log.ErrorContext(ctx, "webhook: cannot mark notification as handled", "id", id, "err", err)
	}
}

// release frees an id's in-flight slot.
func (rc *Receiver) release(id string) {
	if id == "" {
		return
	}
	rc.mu.Lock()
	delete(rc.inflight, id)
	rc.mu.Unlock()
}

// refuse logs why a request is refused and answers it.
func (rc *Receiver) refuse(w http.ResponseWriter, r *http.Request, status int, msg string, err error) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	rc.log.Log(r.Context(), level, "webhook: notification refused", "status", status, "err", err)
	recvWrite(w, status, msg)
}

// recvSignatureMessage is the answer to a request whose signature fails:
// which check failed, without the detail (such as the clock skew).
func recvSignatureMessage(err error) string {
	switch {
	case errors.Is(err, signature.ErrMissingHeader):
		return "missing signature headers"
	case errors.Is(err, signature.ErrMalformedHeader):
		return "malformed signature header"
	case errors.Is(err, signature.ErrTooOld), errors.Is(err, signature.ErrTooNew):
		return "signature timestamp outside the tolerance"
	case errors.Is(err, signature.ErrNoMatch):
		return "signature does not match"
	}
	return "signature does not verify"
}

// recvWrite answers with a one-line plain text body.
func recvWrite(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
}

// recvFirst returns the first value of a canonical header.
func recvFirst(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// recvStatusWriter records the status the next handler answers with.
type recvStatusWriter struct {
	http.ResponseWriter
	status int // 0 until a final status is written
}

func (s *recvStatusWriter) WriteHeader(code int) {
	if s.status == 0 && code >= 200 { // 1xx are not the final answer
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *recvStatusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Flush lets next stream; flushing commits a 200 if nothing was written.
func (s *recvStatusWriter) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (s *recvStatusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
