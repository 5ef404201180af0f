package receiver

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/memdedupe"
	"github.com/a12b7632/elementevents/signature"
)

// defaultMaxBodyBytes is the body limit when Config.MaxBodyBytes is zero:
// ten times the largest notification the Notifier sends by default is far
// below it.
const defaultMaxBodyBytes = 1 << 20

// Config configures a [Receiver]. Only Keys is required; every other field
// documents its default.
type Config struct {
	// Keys verify the signatures; a request signed with any of them is
	// accepted, so a key is rotated by listing the new one first and
	// dropping the old one once the sender has switched. Each is the raw
	// key bytes (see [signature.ParseKey] for "whsec_" secrets and
	// event.notification.signature.key values), a [signature.Key] so that
	// a printed or logged Config never shows them. Required, none empty.
	Keys []signature.Key

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

	// AllowElementsScheme accepts requests signed only in the Cloud
	// Elements scheme: an Elements-Webhook-Signature and no Standard
	// Webhooks header. That scheme signs the body alone, with no
	// timestamp, so a captured request stripped of its Standard Webhooks
	// headers stays valid forever: only the Deduper stops its replay, for
	// DedupeTTL and while it remembers (an in-memory one forgets at a
	// restart). Set it only for a sender that cannot sign in the Standard
	// Webhooks scheme; the Notifier signs in both. False (the zero value)
	// answers such requests 401. Either way, a request with any Standard
	// Webhooks header is verified in that scheme alone.
	AllowElementsScheme bool

	// Deduper remembers the ids of notifications already handled; a
	// notification seen again is answered 200 without calling Handle or
	// the next handler. Default: an in-memory one on Clock, which one
	// process does not share with another.
	Deduper Deduper

	// DedupeTTL is how long a handled id is remembered. Zero means
	// 24 hours; negative is an error.
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

// New returns a Receiver for cfg, with defaults filled in. A missing or
// empty key is an error wrapping [signature.ErrNoKey]; every error names
// the Config field at fault.
func New(cfg Config) (*Receiver, error) {
	if len(cfg.Keys) == 0 {
		return nil, fmt.Errorf("receiver: Config.Keys is empty: %w", signature.ErrNoKey)
	}
	keys := make([]signature.Key, len(cfg.Keys))
	for i, k := range cfg.Keys {
		if len(k) == 0 {
			return nil, fmt.Errorf("receiver: Config.Keys[%d] is empty: %w", i, signature.ErrNoKey)
		}
		keys[i] = bytes.Clone(k)
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("receiver: Config.MaxBodyBytes is negative: %d", cfg.MaxBodyBytes)
	}
	if cfg.DedupeTTL < 0 {
		return nil, fmt.Errorf("receiver: Config.DedupeTTL is negative: %v", cfg.DedupeTTL)
	}
	clock := cfg.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	verifier, err := signature.NewVerifier(signature.VerifierConfig{Keys: keys, Tolerance: cfg.Tolerance, Clock: clock})
	if err != nil {
		return nil, fmt.Errorf("receiver: Config.Keys: %w", err)
	}
	rc := &Receiver{
		verifier:      verifier,
		maxBody:       cmp.Or(cfg.MaxBodyBytes, defaultMaxBodyBytes),
		allowElements: cfg.AllowElementsScheme,
		dedupe:        cfg.Deduper,
		ttl:           cmp.Or(cfg.DedupeTTL, defaultDedupeTTL),
		handle:        cfg.Handle,
		log:           cfg.Logger,
		inflight:      make(map[string]struct{}),
	}
	if rc.dedupe == nil {
		rc.dedupe = memdedupe.New(clock)
	}
	if rc.log == nil {
		rc.log = slog.Default()
	}
	return rc, nil
}
