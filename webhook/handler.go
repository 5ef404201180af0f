package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/memdedupe"
	"github.com/a12b7632/elementevents/internal/quote"
)

// defaultMaxBodyBytes is Config.MaxBodyBytes's default: far above any
// vendor's single notification.
const defaultMaxBodyBytes = 1 << 20

// HeaderElementInstances names the instance a webhook is for when the
// handler is mounted on a path without {instanceID}, as Cloud Elements did.
const HeaderElementInstances = "Element-Instances"

// Config configures a [Handler]. Zero values are documented defaults.
type Config struct {
	// Resolve finds the instance a webhook is for. elementKey is the
	// {elementKey} path segment, or "" when the request names the instance
	// only by the Element-Instances header; a resolver that is given one
	// should not return an instance of another element. It returns an
	// error wrapping [ErrUnknownInstance] for ids it does not know
	// (answered 404); any other error is answered 503, so the vendor
	// retries. It must be safe for concurrent use, and the instances it
	// returns must not be changed afterwards (return a new one instead).
	// Required unless Instances is set; setting both is an error.
	Resolve func(ctx context.Context, elementKey, instanceID string) (*element.Instance, error)

	// Instances is the static alternative to Resolve: the instances served,
	// found by their ID (and element key, when the path gives one). Each
	// needs a unique, non-empty ID and a known element; New checks
	// them and warns once about those whose webhooks cannot be verified.
	Instances []*element.Instance

	// Sink receives one batch per accepted webhook; required. It is
	// usually a *notify.Notifier, so the handler answers 2xx only once
	// the events are in the outbox.
	Sink events.Sink

	// Definition finds an element's definition by key. Default: the
	// Lookup of [element.Default]. It is called the first time an instance is seen
	// (and again when the instance's element or webhook secret changes),
	// not on every request.
	Definition func(key string) (*element.Definition, bool)

	// Clock stamps events whose body has no date and checks Standard
	// Webhooks timestamps. Default: the real clock.
	Clock clockwork.Clock

	// Logger receives warnings (instances whose webhooks cannot be
	// verified), errors (sink and resolver failures) and, at debug level,
	// the reasons requests were refused. Default: slog.Default().
	Logger *slog.Logger

	// MaxBodyBytes bounds the body; a larger one is answered 413. Default 1 MiB;
	// negative is an error.
	MaxBodyBytes int64

	// Deduper remembers the deliveries already accepted. Default: a
	// [NewMemoryDeduper] on Clock. Share one Deduper between replicas to
	// dedupe across them.
	Deduper Deduper

	// DedupeTTL is how long a delivery is remembered. Default 24
	// hours; negative turns deduplication off.
	DedupeTTL time.Duration

	// SignatureTolerance bounds the age of a Standard Webhooks timestamp,
	// in both directions. Default signature.DefaultTolerance (5 minutes);
	// negative disables the check.
	SignatureTolerance time.Duration

	// Subscriber, when set, is told the time of every webhook accepted
	// for an instance, so that it can fill the gap a broken vendor
	// subscription leaves from the last webhook that arrived. Nil means
	// it fills gaps from its last healthy reconcile.
	Subscriber *Subscriber

	// OnRequest, if set, is called after each request is answered, with
	// the request's context and what became of it: for metrics and
	// traces (the otel module counts requests by outcome). It must be
	// fast; it runs on the request's goroutine.
	OnRequest func(ctx context.Context, info RequestInfo)
}

// Handler is the http.Handler for inbound vendor webhooks, for one
// instance or many; it is safe for concurrent use. Mount it as
// POST /events/{elementKey}/{instanceID}. The package documentation says
// how it finds the instance, verifies the signature, reads the changes,
// dedupes deliveries, and which status answers what.
type Handler struct {
	resolve    func(ctx context.Context, elementKey, instanceID string) (*element.Instance, error)
	definition func(key string) (*element.Definition, bool)
	sink       events.Sink
	clock      clockwork.Clock
	log        *slog.Logger
	maxBody    int64
	dedupe     Deduper
	mem        *memdedupe.Set // dedupe's set when it is a memory deduper
	ttl        time.Duration
	tolerance  time.Duration
	subscriber *Subscriber
	onRequest  func(context.Context, RequestInfo)

	tooLarge string // the 413 reason, built once

	static map[string]*prepared // by instance ID, for Config.Instances
	cache  sync.Map             // instance ID -> *prepared, for Config.Resolve
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler for cfg, with the defaults filled in. It
// fails when Sink is missing, when neither or both of Resolve and
// Instances are set, when MaxBodyBytes is negative, or when a static
// instance has no ID, a duplicate ID or an element without a usable
// definition.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Sink == nil:
		return nil, errors.New("webhook: Config.Sink is required")
	case cfg.Resolve == nil && cfg.Instances == nil:
		return nil, errors.New("webhook: Config.Resolve or Config.Instances is required")
	case cfg.Resolve != nil && cfg.Instances != nil:
		return nil, errors.New("webhook: set Config.Resolve or Config.Instances, not both")
	case cfg.MaxBodyBytes < 0:
		return nil, fmt.Errorf("webhook: Config.MaxBodyBytes is negative (%d)", cfg.MaxBodyBytes)
	}
	h := &Handler{
		resolve:    cfg.Resolve,
		definition: cfg.Definition,
		sink:       cfg.Sink,
		clock:      cfg.Clock,
		log:        cfg.Logger,
		maxBody:    cfg.MaxBodyBytes,
		dedupe:     cfg.Deduper,
		ttl:        cfg.DedupeTTL,
		tolerance:  cfg.SignatureTolerance,
		subscriber: cfg.Subscriber,
		onRequest:  cfg.OnRequest,
	}
	if h.definition == nil {
		h.definition = element.Default().Lookup
	}
	if h.clock == nil {
		h.clock = clockwork.NewRealClock()
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.maxBody == 0 {
		h.maxBody = defaultMaxBodyBytes
	}
	if h.ttl == 0 {
		h.ttl = defaultDedupeTTL
	}
	if h.dedupe == nil && h.ttl > 0 {
		h.dedupe = NewMemoryDeduper(h.clock)
	}
	if md, ok := h.dedupe.(*memoryDeduper); ok && h.ttl > 0 {
		h.mem = md.set
	}
	h.tooLarge = "body larger than " + strconv.FormatInt(h.maxBody, 10) + " bytes"
	if cfg.Instances != nil {
		if err := h.loadStatic(cfg.Instances); err != nil {
			return nil, err
		}
		h.resolve = h.resolveStatic
	}
	return h, nil
}

// ServeHTTP handles one webhook delivery; see [Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.onRequest == nil {
		h.serve(w, r)
		return
	}
	info := h.serve(w, r)
	h.onRequest(r.Context(), info)
}

// serve handles one webhook delivery and says what became of it.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) RequestInfo {
	ctx := r.Context()
	elementKey, instanceID := routeOf(r)
	if instanceID == "" {
		h.refuse(w, r, http.StatusNotFound, "no instance named in the path or the "+HeaderElementInstances+" header", nil)
		return RequestInfo{Outcome: OutcomeUnknownInstance, Status: http.StatusNotFound}
	}
	inst, id, err := h.findInstance(ctx, elementKey, instanceID)
	switch {
	case errors.Is(err, ErrUnknownInstance):
		h.refuse(w, r, http.StatusNotFound, "unknown instance", err)
		return RequestInfo{Outcome: OutcomeUnknownInstance, Status: http.StatusNotFound}
	case err != nil:
		h.log.ErrorContext(ctx, "webhook: instance lookup failed", "element", quote.Cut(elementKey), "error", err)
		h.answer(w, http.StatusServiceUnavailable, "instance lookup failed; retry later")
		return RequestInfo{Outcome: OutcomeUnavailable, Status: http.StatusServiceUnavailable}
	}
	info := RequestInfo{ElementKey: inst.Element.Key, Instance: id}
	done := func(o Outcome, status int) RequestInfo {
		info.Outcome, info.Status = o, status
		return info
	}
	ev := &inst.Configuration.Events
	if !ev.Enabled {
		h.refuse(w, r, http.StatusNotFound, "events are disabled for this instance", ErrEventsDisabled)
		return done(OutcomeUnknownInstance, http.StatusNotFound)
	}
	p, err := h.prepare(id, inst)
	if err != nil {
		h.log.ErrorContext(ctx, "webhook: instance cannot receive webhooks", "instance", id, "element", inst.Element.Key, "error", err)
		h.answer(w, http.StatusInternalServerError, "the instance's element cannot receive webhooks")
		return done(OutcomeError, http.StatusInternalServerError)
	}
	if !p.allows(r.Method) {
		w.Header().Set("Allow", p.allow)
		h.refuse(w, r, http.StatusMethodNotAllowed, "method not allowed", nil)
		return done(OutcomeInvalid, http.StatusMethodNotAllowed)
	}

	in, err := h.read(w, r, p)
	switch {
	case errors.Is(err, ErrTooLarge):
		h.refuse(w, r, http.StatusRequestEntityTooLarge, h.tooLarge, err)
		return done(OutcomeTooLarge, http.StatusRequestEntityTooLarge)
	case err != nil:
		h.refuse(w, r, http.StatusBadRequest, "body could not be read", err)
		return done(OutcomeInvalid, http.StatusBadRequest)
	}
	if p.isPing(in, r.Header) {
		answerOK(w, okText)
		return done(OutcomePing, http.StatusOK)
	}
	if err := p.verify.verify(in.signed, r.Header); err != nil {
		h.refuse(w, r, http.StatusUnauthorized, signatureReason(err), err)
		return done(OutcomeUnauthorized, http.StatusUnauthorized)
	}

	var delivery dedupeID
	if p.deliveryHeader != "" && h.dedupe != nil {
		if d := firstHeader(r.Header, p.deliveryHeader); d != "" {
			delivery = h.dedupeID("delivery", id, d)
			if h.seen(ctx, delivery) {
				answerOK(w, duplicateText)
				return done(OutcomeDuplicate, http.StatusOK)
			}
		}
	}
	now := h.clock.Now()
	evs, raw, err := p.norm.normalize(in, firstHeader(r.Header, p.norm.topicHeader), now)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, badBodyReason(err), err)
		return done(OutcomeInvalid, http.StatusBadRequest)
	}
	if !delivery.set && h.dedupe != nil {
		evs = h.unseen(ctx, evs)
	}
	if len(evs) == 0 {
		// Nothing new: a body without changes, or every event a repeat.
		answerOK(w, okText)
		return done(OutcomeDuplicate, http.StatusOK)
	}
	b := events.Batch{
		Instance: events.Instance{ID: id, Name: inst.Name, ElementKey: inst.Element.Key, Tags: inst.Tags},
		Endpoint: events.Endpoint{URL: ev.CallbackURL},
		Source:   events.FromWebhook,
		Events:   evs,
		Raw:      raw,
	}
	if len(ev.SignatureKey) > 0 {
		b.Endpoint.Key = bytes.Clone(ev.SignatureKey)
	}
	if err := h.sink.Publish(ctx, b); err != nil {
		h.log.ErrorContext(ctx, "webhook: sink refused the events", "instance", id, "events", len(evs), "error", err)
		h.answer(w, http.StatusServiceUnavailable, "events could not be accepted; retry later")
		return done(OutcomeUnavailable, http.StatusServiceUnavailable)
	}
	h.markAccepted(ctx, delivery, evs)
	if h.subscriber != nil {
		h.subscriber.received(id, now)
	}
	answerOK(w, okText)
	if h.onRequest != nil {
		info.Events = make(map[events.Type]int, 1)
		for i := range evs {
			info.Events[evs[i].Type]++
		}
	}
	return done(OutcomeAccepted, http.StatusOK)
}
