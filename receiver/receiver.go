package receiver

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

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/signature"
)

// Receiver verifies and decodes the notifications a notify.Notifier
// sends, for the service at the callback URL. Use it as an [http.Handler]
// that calls Config.Handle, or wrap your own handler with
// [Receiver.Middleware].
//
// For each request it checks, in order:
//
//   - the method is POST (else 405);
//   - the body is at most MaxBodyBytes (else 413);
//   - a Standard Webhooks signature (webhook-id, webhook-timestamp,
//     webhook-signature, or the same under Svix's names svix-id,
//     svix-timestamp, svix-signature) verifies against one of the Keys,
//     its timestamp within Tolerance of the clock; or, only with
//     AllowElementsScheme and no Standard Webhooks header at all, a Cloud
//     Elements one (Elements-Webhook-Signature) (else 401);
//   - the body is a notification: a JSON object whose "message" has an
//     eventId or events (else 400);
//   - its id was not handled before (else 200, and nothing is called).
//
// Header names are matched whatever their case. The id is the webhook-id
// (or svix-id) of a Standard Webhooks request, which the signature covers. In the
// Cloud Elements scheme only the body is signed, so the id is the body's
// message.eventId, and Elements-Webhook-Id only when the body has none.
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
	verifier      *signature.Verifier
	maxBody       int64
	allowElements bool
	dedupe        Deduper
	ttl           time.Duration
	handle        func(context.Context, events.Notification) error
	log           *slog.Logger

	mu       sync.Mutex
	inflight map[string]struct{} // ids being handled in this process
}

var _ http.Handler = (*Receiver)(nil)

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
	answer(w, http.StatusOK, "ok")
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
		r2 := r.WithContext(context.WithValue(r.Context(), contextKey{}, in.note))
		r2.Body = io.NopCloser(bytes.NewReader(in.body))
		r2.ContentLength = int64(len(in.body))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r2)
		if status := cmp.Or(sw.status, http.StatusOK); status >= 200 && status < 300 {
			rc.mark(r.Context(), in.id)
		}
	})
}

// contextKey keys the notification in a request's context.
type contextKey struct{}

// NotificationFromContext returns the notification that
// [Receiver.Middleware] verified and decoded, from the context of the
// request it passes to the next handler.
func NotificationFromContext(ctx context.Context) (events.Notification, bool) {
	n, ok := ctx.Value(contextKey{}).(events.Notification)
	return n, ok
}

// admitted is a request that passed every check and holds its id's
// in-flight slot.
type admitted struct {
	body []byte
	note events.Notification
	id   string // dedupe key; empty when the request carries none
}

// admit runs the checks. When it returns false it has answered the
// request; when true the caller must release the id.
func (rc *Receiver) admit(w http.ResponseWriter, r *http.Request) (admitted, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		rc.refuse(w, r, http.StatusMethodNotAllowed, "method not allowed: notifications are POSTed",
			fmt.Errorf("receiver: method %s", r.Method))
		return admitted{}, false
	}
	body, err := rc.readBody(w, r)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			rc.refuse(w, r, http.StatusRequestEntityTooLarge, "request body too large", err)
		} else {
			rc.refuse(w, r, http.StatusBadRequest, "cannot read request body", err)
		}
		return admitted{}, false
	}
	sh := readSigned(r.Header)
	if err := rc.verify(body, sh); err != nil {
		rc.refuse(w, r, http.StatusUnauthorized, signatureAnswer(err), err)
		return admitted{}, false
	}
	note, err := decode(body)
	if err != nil {
		msg := "body is not a notification"
		if _, ok := errors.AsType[*json.SyntaxError](err); ok {
			msg = "body is not JSON"
		}
		rc.refuse(w, r, http.StatusBadRequest, msg, err)
		return admitted{}, false
	}
	in := admitted{body: body, note: note}
	if sh.standard {
		in.id = sh.id
	} else {
		in.id = cmp.Or(note.Message.EventID, sh.elementsID)
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
			fmt.Errorf("receiver: id %s is being handled", quote.String(in.id)))
		return admitted{}, false
	}
	seen, err := rc.dedupe.Seen(r.Context(), in.id)
	if err != nil {
		rc.release(in.id)
		rc.refuse(w, r, http.StatusServiceUnavailable, "cannot check for duplicates; retry later",
			fmt.Errorf("receiver: deduper: %w", err))
		return admitted{}, false
	}
	if seen {
		rc.release(in.id)
		rc.log.DebugContext(r.Context(), "receiver: duplicate notification", "id", in.id)
		answer(w, http.StatusOK, "ok (duplicate)")
		return admitted{}, false
	}
	return in, true
}

// verify checks the signature in the scheme the headers name; the error
// wraps ErrBadSignature.
func (rc *Receiver) verify(body []byte, sh signed) error {
	var err error
	switch {
	case sh.standard:
		err = rc.verifier.VerifyStandard(body, sh.id, sh.timestamp, sh.signatures)
		if err != nil && sh.svix {
			err = fmt.Errorf("svix- headers: %w", err)
		}
	case !rc.allowElements:
		err = fmt.Errorf("%w: %s (a Cloud Elements signature alone is refused without Config.AllowElementsScheme)",
			signature.ErrMissingHeader, signature.HeaderWebhookSignature)
	case sh.elements == "":
		err = fmt.Errorf("%w: neither %s nor %s", signature.ErrMissingHeader, signature.HeaderWebhookSignature, signature.HeaderElementsSignature)
	default:
		if err = rc.verifier.VerifyHMAC(body, sh.elements); err != nil {
			err = fmt.Errorf("%s: %w", signature.HeaderElementsSignature, err)
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

// runHandle calls Handle, if set; on error it answers 500 and returns
// false.
func (rc *Receiver) runHandle(w http.ResponseWriter, r *http.Request, in admitted) bool {
	if rc.handle == nil {
		return true
	}
	if err := rc.handle(r.Context(), in.note); err != nil {
		rc.log.ErrorContext(r.Context(), "receiver: notification handler failed", "id", in.id, "err", err)
		answer(w, http.StatusInternalServerError, "notification not handled; retry later")
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
		rc.log.ErrorContext(ctx, "receiver: cannot mark notification as handled", "id", id, "err", err)
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
