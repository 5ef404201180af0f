package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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

// RequestInfo says what became of one inbound webhook request, for
// Config.OnRequest.
type RequestInfo struct {
	// ElementKey and Instance name the instance the request was for, as
	// resolved: both are empty when no instance was found (the path's
	// element key is the sender's to choose, so it is not repeated here).
	ElementKey, Instance string
	// Outcome is what the Handler did with it.
	Outcome Outcome
	// Status is the HTTP status answered.
	Status int
	// Events counts the events published by type, for OutcomeAccepted;
	// nil otherwise.
	Events map[events.Type]int
}

// Outcome is what the [Handler] did with a request.
type Outcome string

// The outcomes of a request.
const (
	// OutcomeAccepted: new events were published (200).
	OutcomeAccepted Outcome = "accepted"
	// OutcomeDuplicate: a delivery already accepted, or a body with
	// nothing new in it (200).
	OutcomeDuplicate Outcome = "duplicate"
	// OutcomePing: the vendor's test delivery (200).
	OutcomePing Outcome = "ping"
	// OutcomeUnknownInstance: no instance, an unknown one, or one whose
	// events are disabled (404).
	OutcomeUnknownInstance Outcome = "unknown_instance"
	// OutcomeUnauthorized: the signature did not verify (401).
	OutcomeUnauthorized Outcome = "unauthorized"
	// OutcomeInvalid: a method not allowed (405), or a body that could
	// not be read or understood (400).
	OutcomeInvalid Outcome = "invalid"
	// OutcomeTooLarge: a body over MaxBodyBytes (413).
	OutcomeTooLarge Outcome = "too_large"
	// OutcomeUnavailable: the instance lookup or the Sink failed; the
	// vendor should retry (503).
	OutcomeUnavailable Outcome = "unavailable"
	// OutcomeError: the instance's element cannot receive webhooks (500).
	OutcomeError Outcome = "error"
)

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

// dedupeID is one of the handler's keys in its Deduper: the namespaced
// string, or for the memory deduper its hash, made without building the
// string.
type dedupeID struct {
	key string
	mem memdedupe.Key
	set bool
}

// dedupeID returns the key dedupeKey(kind, a, b) names.
func (h *Handler) dedupeID(kind, a, b string) dedupeID {
	if h.mem != nil {
		return dedupeID{mem: memdedupe.KeyOf(dedupePrefix, kind, "\x00", a, "\x00", b), set: true}
	}
	return dedupeID{key: dedupeKey(kind, a, b), set: true}
}

// seen asks the Deduper about k. A Deduper that fails is logged and taken
// as "not seen": a duplicate event is better than a lost one, and event ids
// let consumers drop it.
func (h *Handler) seen(ctx context.Context, k dedupeID) bool {
	if h.mem != nil {
		return h.mem.SeenKey(k.mem)
	}
	seen, err := h.dedupe.Seen(ctx, k.key)
	if err != nil {
		h.log.WarnContext(ctx, "webhook: deduper failed; handling the delivery", "error", err)
		return false
	}
	return seen
}

// unseen drops the events whose ids were already accepted, for vendors that
// send no delivery id.
func (h *Handler) unseen(ctx context.Context, evs []events.Event) []events.Event {
	out := evs[:0]
	for _, e := range evs {
		if !h.seen(ctx, h.dedupeID("event", e.ID, "")) {
			out = append(out, e)
		}
	}
	return out
}

// markAccepted remembers a delivery whose events the sink accepted: its
// delivery id when it had one, else each event id.
func (h *Handler) markAccepted(ctx context.Context, delivery dedupeID, evs []events.Event) {
	if h.dedupe == nil {
		return
	}
	mark := func(k dedupeID) {
		if h.mem != nil {
			h.mem.MarkKey(k.mem, h.ttl)
			return
		}
		if err := h.dedupe.Mark(ctx, k.key, h.ttl); err != nil {
			h.log.WarnContext(ctx, "webhook: deduper failed to remember a delivery", "error", err)
		}
	}
	if delivery.set {
		mark(delivery)
		return
	}
	for _, e := range evs {
		mark(h.dedupeID("event", e.ID, ""))
	}
}

// dedupePrefix starts the handler's keys.
const dedupePrefix = "webhook.Handler "

// dedupeKey namespaces the handler's keys, so that a Deduper shared with a
// Receiver, or between instances, cannot confuse them.
func dedupeKey(kind, a, b string) string {
	return dedupePrefix + kind + "\x00" + a + "\x00" + b
}

// refuse answers an error status, logging the cause at debug level: refusals
// are the vendor's or an attacker's doing, so they must not flood the log.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, code int, reason string, err error) {
	if h.log.Enabled(r.Context(), slog.LevelDebug) {
		h.log.DebugContext(r.Context(), "webhook: request refused", "status", code, "reason", reason, "path", quote.Cut(r.URL.Path), "error", err)
	}
	h.answer(w, code, reason)
}

// answer writes an error status with a short plain-text reason. Reasons
// never hold secrets or echo request headers.
func (h *Handler) answer(w http.ResponseWriter, code int, reason string) {
	http.Error(w, reason, code)
}

// The 200 answers, each with its newline, so that it is written in one
// piece.
const (
	okText        = "ok\n"
	duplicateText = "duplicate delivery\n"
)

// answerOK writes a 200 with text, one of the constants above.
func answerOK(w http.ResponseWriter, text string) {
	w.Header()["Content-Type"] = textPlain[:1:1]
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, text)
}

// textPlain is the Content-Type of the handler's answers, built once and
// shared: header values are replaced or appended to (at capacity, so
// copied), never written into.
var textPlain = []string{"text/plain; charset=utf-8"}

// firstHeader returns the first value of a header given in canonical form,
// without the allocation of http.Header.Get's canonicalisation.
func firstHeader(h http.Header, canonical string) string {
	if canonical == "" {
		return ""
	}
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// read reads the payload of a request: the body, bounded by MaxBodyBytes,
// or for a GET the query string. A form body is read as fields when the
// definition accepts forms. Errors wrap [ErrTooLarge] or [ErrBadBody].
func (h *Handler) read(w http.ResponseWriter, r *http.Request, p *prepared) (payload, error) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		return payload{signed: []byte(r.URL.RawQuery), form: flatten(q)}, nil
	}
	body, err := h.readBody(w, r)
	if err != nil {
		return payload{}, err
	}
	in := payload{body: body, signed: body}
	if p.formEncoded && isForm(r.Header) {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return payload{}, fmt.Errorf("%w: form body: %w", ErrBadBody, err)
		}
		in.form = flatten(vals)
	}
	return in, nil
}

// readBody reads the whole body, at most MaxBodyBytes, sized from
// Content-Length so that a body of the announced size takes one allocation.
//
// A body of unknown length is read through http.MaxBytesReader, which also
// has the server close the connection after the 413. A body whose
// Content-Length is within the bound is read as it is: the server stops it
// at that length, so it cannot run over, and the bound is still checked
// here for a request built by other means.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > h.maxBody {
		return nil, fmt.Errorf("%w: Content-Length %d over %d", ErrTooLarge, r.ContentLength, h.maxBody)
	}
	rd := r.Body
	size := int64(512)
	if r.ContentLength >= 0 {
		size = r.ContentLength + 1 // room to see EOF without growing
	} else {
		rd = http.MaxBytesReader(w, r.Body, h.maxBody)
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		// Never read more than one byte over the bound.
		room := buf[len(buf):cap(buf)]
		if left := h.maxBody + 1 - int64(len(buf)); int64(len(room)) > left {
			room = room[:left]
		}
		n, err := rd.Read(room)
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > h.maxBody {
			return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, h.maxBody)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, h.maxBody)
			}
			return nil, fmt.Errorf("%w: %w", ErrBadBody, err)
		}
	}
}

// isForm reports a form-encoded body by its Content-Type.
func isForm(h http.Header) bool {
	ct, _, _ := strings.Cut(firstHeader(h, "Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}
