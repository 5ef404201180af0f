package elementevents_test

// TestBadInput runs the catalogue of hostile inputs in testdata/bad: one
// file a case, in a directory named for the part of the library it attacks.
// Every case must end in its expected clear error (or HTTP status), never in
// a panic, and leave no goroutine behind. See testdata/bad/README.md for the
// file format.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/internal/urltemplate"
	"github.com/a12b7632/elementevents/javatime"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// badT0 is the fake clock's time in every case.
var badT0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

const (
	badWooSecret   = "wc-bad-input-secret"  // webhook.secret of instance woo-1
	badStdSecret   = "std-bad-input-secret" // webhook.secret of instance std-1
	badVendorToken = "vendor-token-secret"  // api.token of the vendor cases
)

// badReceiverKey signs the notifications of the receiver cases.
var badReceiverKey = []byte("receiver-bad-input-key")

// maxErrorText bounds an error message or an HTTP answer: an error that
// echoes a hostile input of megabytes is not a clear error, and floods logs.
const maxErrorText = 4096

// badSentinels are the errors a case may name in want.is.
var badSentinels = map[string]error{
	"element.ErrSyntax":            element.ErrSyntax,
	"element.ErrInvalid":           element.ErrInvalid,
	"element.ErrPlaceholder":       element.ErrPlaceholder,
	"element.ErrLegacyURLs":        element.ErrLegacyURLs,
	"element.ErrUnknownElement":    element.ErrUnknownElement,
	"javatime.ErrPattern":          javatime.ErrPattern,
	"javatime.ErrParse":            javatime.ErrParse,
	"javatime.ErrZone":             javatime.ErrZone,
	"poller.ErrUnauthorized":       poller.ErrUnauthorized,
	"poller.ErrMalformedPage":      poller.ErrMalformedPage,
	"poller.ErrVendor":             poller.ErrVendor,
	"poller.ErrConfig":             poller.ErrConfig,
	"webhook.ErrUnknownInstance":   webhook.ErrUnknownInstance,
	"webhook.ErrEventsDisabled":    webhook.ErrEventsDisabled,
	"webhook.ErrBadSignature":      webhook.ErrBadSignature,
	"webhook.ErrBadBody":           webhook.ErrBadBody,
	"webhook.ErrTooLarge":          webhook.ErrTooLarge,
	"receiver.ErrBadSignature":     receiver.ErrBadSignature,
	"receiver.ErrBadBody":          receiver.ErrBadBody,
	"receiver.ErrTooLarge":         receiver.ErrTooLarge,
	"signature.ErrMissingHeader":   signature.ErrMissingHeader,
	"signature.ErrMalformedHeader": signature.ErrMalformedHeader,
	"signature.ErrNoMatch":         signature.ErrNoMatch,
	"signature.ErrTooOld":          signature.ErrTooOld,
	"signature.ErrTooNew":          signature.ErrTooNew,
}

// badTypes are the error types a case may name in want.as.
var badTypes = map[string]func(error) bool{
	"*element.SyntaxError":     isType[*element.SyntaxError],
	"*element.ValidationError": isType[*element.ValidationError],
	"*element.Problem":         isType[*element.Problem],
	"*json.SyntaxError":        isType[*json.SyntaxError],
	"*json.UnmarshalTypeError": isType[*json.UnmarshalTypeError],
}

func isType[E error](err error) bool {
	_, ok := errors.AsType[E](err)
	return ok
}

// badOutcome is what running a case produced.
type badOutcome struct {
	err    error   // the error returned (non-HTTP targets)
	logged []error // the errors logged (HTTP targets)
	logs   []string
	http   bool
	status int
	body   string
	events int // -1 when the target publishes none
	value  []byte
	hasVal bool
	note   string // extra context for failure messages
}

// badRunners run one case of a target.
var badRunners = map[string]func(t *testing.T, c *badCase) badOutcome{
	"instance":   runInstance,
	"dateformat": runDateFormat,
	"date":       runDate,
	"url":        runURL,
	"vendor":     runVendor,
	"handler":    runHandler,
	"receiver":   runReceiver,
}

func TestBadInput(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*", "*.case"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 40, "the catalogue holds at least 40 cases")
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		target := filepath.Base(filepath.Dir(file))
		name := target + "/" + strings.TrimSuffix(filepath.Base(file), ".case")
		c, err := parseBadCase(name, target, data)
		require.NoError(t, err, "case %s", file)
		run, ok := badRunners[target]
		require.True(t, ok, "case %s: unknown target directory %q", file, target)

		t.Run(name, func(t *testing.T) {
			if c.skip != "" {
				t.Skip(c.skip)
			}
			before := runtime.NumGoroutine()
			out, panicked := runRecovering(t, c, run)
			if panicked != "" {
				t.Fatalf("%s\npanicked on hostile input: %s", c.why, panicked)
			}
			checkOutcome(t, c, out)
			requireGoroutinesSettle(t, before)
		})
	}
}

// runRecovering runs a case, turning a panic into a report with its stack.
func runRecovering(t *testing.T, c *badCase, run func(*testing.T, *badCase) badOutcome) (out badOutcome, panicked string) {
	defer func() {
		if p := recover(); p != nil {
			panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	return run(t, c), ""
}

// checkOutcome compares what a case produced with what its file expects.
func checkOutcome(t *testing.T, c *badCase, out badOutcome) {
	t.Helper()
	why := c.why
	if out.note != "" {
		why += "\n" + out.note
	}
	errs := out.logged
	if !out.http && out.err != nil {
		errs = []error{out.err}
	}
	if !out.http {
		if c.wantOK {
			require.NoError(t, out.err, why)
		} else {
			require.Error(t, out.err, "%s\nthe hostile input was accepted", why)
		}
	}
	if out.http {
		require.Equal(t, c.wantStatus, out.status, "%s\nHTTP status; answer %q; logged %q", why, out.body, out.logs)
		require.LessOrEqual(t, len(out.body), maxErrorText, "%s\nthe answer is %d bytes: it echoes the input", why, len(out.body))
		for _, s := range c.wantBody {
			require.Contains(t, out.body, s, "%s\nHTTP answer", why)
		}
	} else if c.wantStatus != 0 {
		t.Fatalf("want.status set on a target that is not HTTP")
	}
	for _, err := range errs {
		require.LessOrEqual(t, len(err.Error()), maxErrorText,
			"%s\nthe error text is %d bytes: it echoes the input: %.300q...", why, len(err.Error()), err.Error())
	}
	for _, secret := range []string{badVendorToken, badWooSecret, badStdSecret, string(badReceiverKey)} {
		texts := append(slices.Clone(out.logs), out.body)
		for _, e := range errs {
			texts = append(texts, e.Error())
		}
		for _, text := range texts {
			require.False(t, strings.Contains(text, secret), "%s\na secret leaked into an error, a log line or the answer", why)
		}
	}
	for _, name := range c.wantIs {
		target, ok := badSentinels[name]
		require.True(t, ok, "want.is %q: unknown sentinel", name)
		require.True(t, slices.ContainsFunc(errs, func(e error) bool { return errors.Is(e, target) }),
			"%s\nwant errors.Is %s; got %q", why, name, errTexts(errs))
	}
	for _, name := range c.wantAs {
		is, ok := badTypes[name]
		require.True(t, ok, "want.as %q: unknown type", name)
		require.True(t, slices.ContainsFunc(errs, is), "%s\nwant errors.As %s; got %T %q", why, name, errs, errTexts(errs))
	}
	for _, s := range c.wantContains {
		require.True(t, slices.ContainsFunc(errs, func(e error) bool { return strings.Contains(e.Error(), s) }),
			"%s\nwant an error containing %q; got %q", why, s, errTexts(errs))
	}
	for _, path := range c.wantField {
		require.True(t, slices.ContainsFunc(errs, func(e error) bool { return hasProblem(e, path) }),
			"%s\nwant a *element.Problem at %q; got %q", why, path, errTexts(errs))
	}
	for _, s := range c.wantLog {
		require.True(t, slices.ContainsFunc(out.logs, func(l string) bool { return strings.Contains(l, s) }),
			"%s\nwant a log line containing %q; got %q", why, s, out.logs)
	}
	if c.wantEvents >= 0 {
		require.Equal(t, c.wantEvents, out.events, "%s\nevents published", why)
	}
	if c.hasValue {
		require.True(t, out.hasVal, "%s\nthe case produced no value to compare", why)
		require.Equal(t, string(c.wantValue), string(out.value), "%s\nresult value", why)
	}
}

// hasProblem reports whether the tree of err holds a *element.Problem at
// path. errors.As stops at the first one, so the tree is walked.
func hasProblem(err error, path string) bool {
	if p, ok := err.(*element.Problem); ok && p.Path == path {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if e := u.Unwrap(); e != nil {
			return hasProblem(e, path)
		}
	case interface{ Unwrap() []error }:
		return slices.ContainsFunc(u.Unwrap(), func(e error) bool { return hasProblem(e, path) })
	}
	return false
}

// errTexts returns the error messages, each cut short, for failure output.
func errTexts(errs []error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		s := e.Error()
		if len(s) > 500 {
			s = s[:500] + "..."
		}
		out[i] = s
	}
	return out
}

// runInstance parses the body with element.Parse, which also checks the
// rules. When it passes, Validate must agree. The value is the instance ID.
func runInstance(t *testing.T, c *badCase) badOutcome {
	inst, err := element.Parse(c.body)
	if err != nil {
		return badOutcome{err: err, events: -1}
	}
	if err := inst.Validate(); err != nil {
		t.Fatalf("%s\nParse accepted the body, but Validate did not: %v", c.why, err)
	}
	return badOutcome{events: -1, value: []byte(inst.ID), hasVal: true}
}

// runDateFormat compiles the pattern for the zone. The value is T0
// formatted with it.
func runDateFormat(t *testing.T, c *badCase) badOutcome {
	df, err := javatime.NewLayout(c.param("pattern", ""), c.param("zone", ""))
	if err != nil {
		return badOutcome{err: err, events: -1}
	}
	return badOutcome{events: -1, value: []byte(df.Format(badT0)), hasVal: true}
}

// runDate compiles the pattern, which must be fine, and parses the body
// with it. The value is the time read, RFC 3339 in UTC.
func runDate(t *testing.T, c *badCase) badOutcome {
	df, err := javatime.NewLayout(c.param("pattern", ""), c.param("zone", ""))
	require.NoError(t, err, "the case's pattern must compile")
	tm, err := df.Parse(string(c.body))
	if err != nil {
		return badOutcome{err: err, events: -1}
	}
	return badOutcome{events: -1, value: []byte(tm.UTC().Format(time.RFC3339Nano)), hasVal: true}
}

// runURL compiles the body as a resource URL template. The value is the
// URL expanded for T0.
func runURL(t *testing.T, c *badCase) badOutcome {
	var loc *time.Location
	if z, ok := c.params["zone"]; ok {
		var err error
		loc, err = javatime.LoadLocation(string(z))
		require.NoError(t, err, "the case's zone must load")
	}
	u, err := urltemplate.Compile(string(c.body), loc)
	if err != nil {
		return badOutcome{err: err, events: -1}
	}
	return badOutcome{events: -1, value: []byte(u.Expand(badT0)), hasVal: true}
}

// badVendorResource is the polled resource of the vendor cases unless a
// case gives its own with resource:.
const badVendorResource = `{"url": "/items", "idField": "id", "datesConfiguration": {
	"updatedDateField": "updated", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ssXXX",
	"createdDateField": "created", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ssXXX"}}`

// runVendor serves the body as the first page of a generic vendor's
// resource "items" (later pages are "[]"), every page with the case's
// status and response headers, its pagination and auth (the configuration holds
// api.token), and polls it once with an HTTPSource that does not
// retry, reporting every record (FirstRun EmitAll). The value is the first
// event's object id.
func runVendor(t *testing.T, c *badCase) badOutcome {
	status, err := strconv.Atoi(c.opt("vendor.status", "200"))
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		pages int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		pages++
		first := pages == 1
		mu.Unlock()
		for _, h := range c.headers {
			w.Header().Add(h.name, string(h.value))
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		if first {
			_, _ = w.Write(c.body)
		} else {
			_, _ = io.WriteString(w, "[]")
		}
	}))
	defer srv.Close()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()

	def, ok := element.Default().Lookup("generic")
	require.True(t, ok)
	if p := c.opt("pagination", ""); p != "" {
		def.Pagination = element.Pagination{}
		require.NoError(t, json.Unmarshal([]byte(p), &def.Pagination), "pagination:")
	}
	if a := c.opt("auth", ""); a != "" {
		def.Auth = element.Auth{}
		require.NoError(t, json.Unmarshal([]byte(a), &def.Auth), "auth:")
	}
	resource := c.opt("resource", badVendorResource)
	body := `{"id": "vendor-1", "name": "bad vendor", "element": {"key": "generic"}, "configuration": {
		"base.url": ` + strconv.Quote(srv.URL) + `, "api.token": ` + strconv.Quote(badVendorToken) + `,
		"event.notification.enabled": true, "event.vendor.type": "polling",
		"event.notification.callback.url": "https://app.example/callback",
		"event.poller.configuration": {"items": ` + resource + `}}}`
	inst, err := element.Parse([]byte(body))
	require.NoError(t, err, "the vendor instance must parse")
	require.NoError(t, inst.Validate(), "the vendor instance must validate")

	clock := clockwork.NewFakeClockAt(badT0)
	var maxPage int64
	if s := c.opt("max-page-bytes", ""); s != "" {
		maxPage, err = strconv.ParseInt(s, 0, 64)
		require.NoError(t, err)
	}
	src, err := poller.NewHTTPSource(poller.HTTPConfig{
		Instance: inst, Definition: def, Transport: transport, Clock: clock,
		Retry: poller.RetryPolicy{Tries: 1}, MaxPageBytes: maxPage,
		Guard: netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}},
	})
	require.NoError(t, err)
	logs := &logCapture{}
	sink := &eventstest.Recorder{}
	p, err := poller.New(poller.Config{
		Instance: inst, Definition: def, Source: src, Sink: sink, Clock: clock,
		Logger: slogOf(logs), FirstRun: poller.EmitAll,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	results := p.Poll(ctx)
	require.Len(t, results, 1)
	out := badOutcome{err: results[0].Err, logs: logs.lines(), events: len(sink.Events())}
	if evs := sink.Events(); len(evs) > 0 {
		out.value, out.hasVal = []byte(evs[0].ObjectID), true
	}
	return out
}

// badHandlerCatalogue adds stdvendor, a vendor signing its webhooks in the
// Standard Webhooks scheme, to the built-in elements.
var badHandlerCatalogue = func() *element.Catalogue {
	c := &element.Catalogue{}
	def, err := element.ParseDefinition([]byte(`{
		"key": "stdvendor", "hub": "general", "baseUrl": "https://api.std.example",
		"webhook": {"signatureScheme": "standard-webhooks", "secretKey": "webhook.secret",
			"objectTypePath": "type", "objectIdPath": "data.id", "eventTypePath": "event",
			"datePath": "timestamp", "dateFormat": "milliseconds"}}`))
	if err != nil {
		panic(err)
	}
	if err := c.Register(def); err != nil {
		panic(err)
	}
	for _, d := range element.Builtins() {
		if err := c.Register(d); err != nil {
			panic(err)
		}
	}
	return c
}()

// badHandlerInstances are the instances the handler cases reach:
// woo-1 (WooCommerce, signed), gen-1 (generic, unsigned), std-1
// (stdvendor) and off-1 (WooCommerce, events disabled).
func badHandlerInstances(t *testing.T) []*element.Instance {
	mk := func(id, key string, enabled bool, secret string) *element.Instance {
		config := map[string]any{
			"event.notification.enabled":      enabled,
			"event.vendor.type":               "webhook",
			"event.notification.callback.url": "https://app.example/callback",
		}
		if secret != "" {
			config["webhook.secret"] = secret
		}
		body, err := json.Marshal(map[string]any{"id": id, "name": id, "element": map[string]string{"key": key}, "configuration": config})
		require.NoError(t, err)
		inst, err := badHandlerCatalogue.Parse(body)
		require.NoError(t, err)
		return inst
	}
	return []*element.Instance{
		mk("woo-1", "woocommercerest", true, badWooSecret),
		mk("gen-1", "generic", true, ""),
		mk("std-1", "stdvendor", true, badStdSecret),
		mk("off-1", "woocommercerest", false, badWooSecret),
	}
}

// runHandler sends the case's request to a webhook.Handler serving
// badHandlerInstances. The value is the first published event's object
// id; events counts the events published.
func runHandler(t *testing.T, c *badCase) badOutcome {
	logs := &logCapture{}
	sink := &eventstest.Recorder{}
	clock := clockwork.NewFakeClockAt(badT0)
	cfg := webhook.Config{
		Instances: badHandlerInstances(t), Sink: sink, Clock: clock, Logger: slogOf(logs),
		Definition: badHandlerCatalogue.Lookup,
	}
	if s := c.opt("max-body-bytes", ""); s != "" {
		n, err := strconv.ParseInt(s, 0, 64)
		require.NoError(t, err)
		cfg.MaxBodyBytes = n
	}
	h, err := webhook.NewHandler(cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/events/{elementKey}/{instanceID}", h)
	mux.Handle("/", h)

	req := badRequest(t, c, "/events/woocommercerest/woo-1")
	switch c.opt("sign", "none") {
	case "none":
	case "woo":
		req.Header.Set(vendortest.WooHeaderSignature, vendortest.WooSignature(badWooSecret, c.body))
	case "std":
		signStandard(req.Header, c, []byte(badStdSecret))
	default:
		t.Fatalf("sign: %q: want none, woo or std", c.opt("sign", ""))
	}
	badSetHeaders(req.Header, c)
	out := serveBad(t, c, mux, req)
	out.logged, out.logs = logs.errs(), logs.lines()
	evs := sink.Events()
	out.events = len(evs)
	if len(evs) > 0 {
		out.value, out.hasVal = []byte(evs[0].ObjectID), true
	}
	return out
}

// runReceiver sends the case's request to a receiver.Receiver keyed with
// badReceiverKey. The value is the event id of the notification handled;
// events counts the notifications handled.
func runReceiver(t *testing.T, c *badCase) badOutcome {
	logs := &logCapture{}
	clock := clockwork.NewFakeClockAt(badT0)
	var (
		mu    sync.Mutex
		notes []events.Notification
	)
	cfg := receiver.Config{
		Keys: [][]byte{badReceiverKey}, Clock: clock, Logger: slogOf(logs),
		Handle: func(_ context.Context, n events.Notification) error {
			mu.Lock()
			notes = append(notes, n)
			mu.Unlock()
			return nil
		},
	}
	if s := c.opt("max-body-bytes", ""); s != "" {
		n, err := strconv.ParseInt(s, 0, 64)
		require.NoError(t, err)
		cfg.MaxBodyBytes = n
	}
	switch s := c.opt("allow-elements-scheme", "false"); s {
	case "true":
		cfg.AllowElementsScheme = true
	case "false":
	default:
		t.Fatalf("allow-elements-scheme: %q: want true or false", s)
	}
	rc, err := receiver.New(cfg)
	require.NoError(t, err)

	req := badRequest(t, c, "/element-events")
	sign := c.opt("sign", "both")
	if sign == "standard" || sign == "both" {
		signStandard(req.Header, c, badReceiverKey)
	}
	if sign == "cloud" || sign == "both" {
		req.Header.Set(signature.HeaderElementsSignature, "sha256="+base64.StdEncoding.EncodeToString(hmacOf(badReceiverKey, c.body)))
		req.Header.Set(signature.HeaderElementsID, c.param("sign.id", "msg_bad_input"))
	}
	if !slices.Contains([]string{"none", "standard", "cloud", "both"}, sign) {
		t.Fatalf("sign: %q: want none, standard, cloud or both", sign)
	}
	badSetHeaders(req.Header, c)
	out := serveBad(t, c, rc, req)
	out.logged, out.logs = logs.errs(), logs.lines()
	mu.Lock()
	defer mu.Unlock()
	out.events = len(notes)
	if len(notes) > 0 {
		out.value, out.hasVal = []byte(notes[0].Message.EventID), true
	}
	return out
}

// badRequest builds the case's request: method (default POST), path
// (default def) and body.
func badRequest(t *testing.T, c *badCase, def string) *http.Request {
	req, err := http.NewRequestWithContext(t.Context(), c.opt("method", http.MethodPost), c.opt("path", def), bytes.NewReader(c.body))
	require.NoError(t, err)
	if !c.hasBody {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	return req
}

// badSetHeaders sets the case's header lines, after signing, so that a case
// can replace a signed header; a header named twice gets both values.
func badSetHeaders(h http.Header, c *badCase) {
	set := map[string]bool{}
	for _, hd := range c.headers {
		if set[http.CanonicalHeaderKey(hd.name)] {
			h.Add(hd.name, string(hd.value))
			continue
		}
		set[http.CanonicalHeaderKey(hd.name)] = true
		h.Set(hd.name, string(hd.value))
	}
}

// signStandard signs the body in the Standard Webhooks scheme with
// sign.id and sign.timestamp (default: the fake clock's now), written as
// the case gives them so that hostile values are signed too.
func signStandard(h http.Header, c *badCase, key []byte) {
	id := c.param("sign.id", "msg_bad_input")
	ts := c.param("sign.timestamp", strconv.FormatInt(badT0.Unix(), 10))
	msg := append([]byte(id+"."+ts+"."), c.body...)
	h.Set(signature.HeaderWebhookID, id)
	h.Set(signature.HeaderWebhookTimestamp, ts)
	h.Set(signature.HeaderWebhookSignature, "v1,"+base64.StdEncoding.EncodeToString(hmacOf(key, msg)))
}

func hmacOf(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// serveBad answers req with h: directly through an httptest.ResponseRecorder
// (via: direct, the default), or over loopback through an httptest.Server
// with a known Content-Length (via: server) or a chunked body (via:
// chunked). A panic in h is reported, even when the server would have
// swallowed it.
func serveBad(t *testing.T, c *badCase, h http.Handler, req *http.Request) badOutcome {
	via := c.opt("via", "direct")
	if via == "direct" {
		req.RequestURI = req.URL.RequestURI()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return badOutcome{http: true, status: w.Code, body: w.Body.String()}
	}
	var (
		mu       sync.Mutex
		panicked string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				mu.Lock()
				panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
				mu.Unlock()
				http.Error(w, "panic", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	req.URL.Scheme, req.URL.Host, req.Host = "http", strings.TrimPrefix(srv.URL, "http://"), ""
	switch via {
	case "server":
	case "chunked":
		req.Body, req.ContentLength = io.NopCloser(struct{ io.Reader }{bytes.NewReader(c.body)}), -1
	default:
		t.Fatalf("via: %q: want direct, server or chunked", via)
	}
	resp, err := client.Do(req)
	require.NoError(t, err, "the request must reach the server")
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	if panicked != "" {
		panic(panicked)
	}
	return badOutcome{http: true, status: resp.StatusCode, body: string(body)}
}
