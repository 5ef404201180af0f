package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/signature"
)

// Sender makes delivery attempts as the Notifier makes them: it signs a
// notification in both schemes, POSTs it without following redirects,
// reads at most 64 KiB of the answer and says what the attempt
// leads to, and [Sender.NextAttempt] says when to try again. A store that
// schedules deliveries itself (on a job queue, say) uses one so that its
// attempts follow the Notifier's rules exactly. It is safe for concurrent
// use.
type Sender struct {
	policy    DeliveryPolicy // with its defaults
	clock     clockwork.Clock
	userAgent []string // the User-Agent header's value, shared

	mu      sync.Mutex
	signers map[string]*signature.Signer // by key
	urls    map[string]*url.URL          // parsed callback URLs
}

// NewSender returns a Sender that attempts deliveries under p, timed on
// clock (the real clock if nil). An error wraps [ErrConfig] and names the
// field of p at fault.
func NewSender(p DeliveryPolicy, clock clockwork.Clock) (*Sender, error) {
	return newSender(p, clock, "DeliveryPolicy")
}

// newSender is NewSender naming the policy by path in its errors.
func newSender(p DeliveryPolicy, clock clockwork.Clock, path string) (*Sender, error) {
	if err := p.check(path); err != nil {
		return nil, err
	}
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	p = p.withDefaults()
	return &Sender{
		policy:    p,
		clock:     clock,
		userAgent: []string{p.UserAgent},
		signers:   make(map[string]*signature.Signer),
		urls:      make(map[string]*url.URL),
	}, nil
}

// Policy returns the policy the Sender follows, with every default filled
// in: its Schedule's length is the number of attempts, its Timeout bounds
// each one.
func (s *Sender) Policy() DeliveryPolicy {
	p := s.policy
	p.Schedule = slices.Clone(p.Schedule)
	return p
}

// AttemptResult is what one attempt led to: the [Attempt] to record, its
// [Outcome], and what the next attempt's time depends on.
type AttemptResult struct {
	// Attempt is the record kept with the delivery. Its Error is the
	// failure's text, or Reason for an answer that was not a success.
	Attempt

	// Outcome says what follows: 2xx delivered; 410 disables the endpoint;
	// 408, 425, 429, 5xx, 3xx, timeouts and network errors are retried;
	// an address the guard refuses, an invalid callback URL and other 4xx
	// are dead at once (retried instead with
	// DeliveryPolicy.RetryClientErrors).
	Outcome Outcome

	// Reason says why an attempt did not deliver ("503 Service
	// Unavailable", "timeout", "410 Gone"), in words fit for a dead
	// letter or a disabled endpoint. Empty when delivered.
	Reason string

	// Overloaded marks a 429 or a timeout: the receiver is overloaded and
	// the next attempt waits at least DeliveryPolicy.OverloadedBackoff.
	Overloaded bool

	// Header is the response's header, nil when there was no response.
	Header http.Header
}

// Send makes one attempt to deliver d to d.Endpoint, signed with d.Key
// (unsigned, with only the id and timestamp headers, when d.Key is
// empty), within the policy's Timeout on the Sender's clock. The attempt
// ends early if ctx does; that is reported as a network error, to be
// retried. Send never fails: every failure is an AttemptResult.
func (s *Sender) Send(ctx context.Context, d Delivery) AttemptResult {
	dl := deadline{parent: ctx, clock: s.clock, timeout: s.policy.Timeout}
	defer dl.close()
	return s.send(&dl, d, nil)
}

// send makes one attempt timed by dl, which a Notifier's worker reuses
// from attempt to attempt, with the extra headers (a trace's) if any.
func (s *Sender) send(dl *deadline, d Delivery, extra http.Header) AttemptResult {
	start := s.clock.Now()
	status, header, body, err := s.post(dl.start(), d, start, extra)
	dl.stop()
	if err != nil && dl.timedOut() {
		err = fmt.Errorf("%w after %v: %w", errAttemptTimeout, s.policy.Timeout, err)
	}
	r := AttemptResult{Attempt: Attempt{At: start, Status: status, Latency: s.clock.Since(start), Response: body}, Header: header}
	r.Outcome, r.Reason, r.Overloaded = classify(status, err, s.policy.RetryClientErrors)
	if err != nil {
		r.Error = err.Error()
	} else if r.Outcome != OutcomeDelivered {
		r.Error = r.Reason
	}
	return r
}

// post sends the signed notification and reads at most maxResponseBody of
// the answer.
func (s *Sender) post(ctx context.Context, d Delivery, now time.Time, extra http.Header) (int, http.Header, []byte, error) {
	req, err := s.request(ctx, d)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range extra {
		if _, ours := req.Header[k]; !ours {
			req.Header[k] = v
		}
	}
	if len(d.Key) > 0 {
		sg, err := s.signer(d.Key)
		if err != nil {
			return 0, nil, nil, err
		}
		sg.SetHeaders(req.Header, d.ID, now, d.Body)
	} else {
		req.Header["Elements-Webhook-Id"] = []string{d.ID}
		req.Header["Webhook-Id"] = []string{d.ID}
		req.Header["Webhook-Timestamp"] = []string{strconv.FormatInt(now.Unix(), 10)}
	}
	resp, err := s.roundTrip(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength == 0 {
		return resp.StatusCode, resp.Header, nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil && resp.StatusCode/100 == 2 {
		// The receiver said yes; a broken body after that changes nothing.
		err = nil
	}
	return resp.StatusCode, resp.Header, body, err
}

// request builds the POST of d's body to its endpoint. The endpoint's URL
// is parsed once and shared by its requests (a request never modifies it).
func (s *Sender) request(ctx context.Context, d Delivery) (*http.Request, error) {
	u, err := s.endpointURL(d.Endpoint)
	if err != nil {
		return nil, err
	}
	body := d.Body
	req := &http.Request{
		Method:     http.MethodPost,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header, 8),
		// A NopCloser'd bytes.Reader is a body net/http knows is in memory:
		// it writes headers and body in one flush.
		Body:          io.NopCloser(bytes.NewReader(body)),
		GetBody:       func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
		ContentLength: int64(len(body)),
		Host:          u.Host,
	}
	req = req.WithContext(ctx)
	// Shared, read-only values: neither the transport nor the receiver's
	// side of a request modifies them.
	req.Header["Content-Type"] = jsonContentType
	req.Header["User-Agent"] = s.userAgent
	return req, nil
}

// endpointURL returns the parsed callback URL, cached per endpoint.
func (s *Sender) endpointURL(raw string) (*url.URL, error) {
	s.mu.Lock()
	u, ok := s.urls[raw]
	s.mu.Unlock()
	if ok {
		return u, nil
	}
	u, err := parseEndpoint(raw)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.urls) >= maxCachedURLs {
		clear(s.urls) // callback URLs are few; this bounds a pathological many
	}
	s.urls[raw] = u
	s.mu.Unlock()
	return u, nil
}

// roundTrip sends req without following redirects. A client with no
// cookie jar and no timeout of its own adds nothing to its transport that
// the Sender uses (it never follows redirects and times attempts on its
// clock), so the request goes to the transport directly, saving the
// client's per-request copies.
func (s *Sender) roundTrip(req *http.Request) (*http.Response, error) {
	c := s.policy.Client
	if c.Jar != nil || c.Timeout != 0 {
		resp, err := c.Do(req)
		var ue *url.Error
		if errors.As(err, &ue) {
			// Its text would carry the URL's query, which may hold a token.
			ue.URL = netguard.RedactURL(ue.URL)
		}
		return resp, err
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err == nil && resp == nil {
		err = errors.New("transport returned neither a response nor an error")
	}
	if err != nil {
		// As http.Client reports it, so errors read the same either way.
		return nil, &url.Error{Op: "Post", URL: netguard.RedactURL(req.URL.String()), Err: err}
	}
	return resp, nil
}

// signer returns the cached signer for a key.
func (s *Sender) signer(key []byte) (*signature.Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sg, ok := s.signers[string(key)]; ok {
		return sg, nil
	}
	sg, err := signature.NewSigner(key)
	if err != nil {
		return nil, err
	}
	s.signers[string(key)] = sg
	return sg, nil
}

// jsonContentType is the Content-Type of every notification.
var jsonContentType = []string{"application/json"}

// maxCachedURLs bounds the Sender's cache of parsed callback URLs.
const maxCachedURLs = 4096

// classify applies the outcome rules documented on AttemptResult.Outcome; 429
// and timeouts are overloaded.
func classify(status int, err error, retryClientErrors bool) (o Outcome, reason string, overloaded bool) {
	if err != nil {
		switch {
		case errors.Is(err, netguard.ErrRefused), errors.Is(err, ErrInvalidEndpoint):
			return OutcomeDead, err.Error(), false
		case errors.Is(err, errAttemptTimeout), isTimeout(err):
			return OutcomeRetry, "timeout", true
		}
		return OutcomeRetry, "network error", false
	}
	switch {
	case status >= 200 && status < 300:
		return OutcomeDelivered, "", false
	case status == http.StatusGone:
		return OutcomeDisabled, "410 Gone", false
	case status == http.StatusTooManyRequests:
		return OutcomeRetry, statusText(status), true
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly, status >= 500, status >= 300 && status < 400:
		return OutcomeRetry, statusText(status), false
	case retryClientErrors:
		return OutcomeRetry, statusText(status), false
	}
	return OutcomeDead, statusText(status), false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func statusText(status int) string {
	return strconv.Itoa(status) + " " + http.StatusText(status)
}

// CheckEndpoint returns an error wrapping [ErrInvalidEndpoint] if raw is
// not an absolute http or https URL with a host, and one wrapping
// [netguard.ErrRefused] if g refuses it without resolving it (see
// [netguard.Guard.CheckURL]: http when HTTPSOnly is set, an IP literal, a
// numeric host, localhost): a callback URL that can never be delivered
// to, refused when a batch is published. Its errors quote the URL
// redacted by [netguard.RedactURL].
func CheckEndpoint(raw string, g netguard.Guard) error {
	u, err := parseEndpoint(raw)
	if err != nil {
		return err
	}
	if err := g.CheckURL(u); err != nil {
		return fmt.Errorf("%s: %w", netguard.RedactURL(raw), err)
	}
	return nil
}

// parseEndpoint parses a callback URL, which must be absolute http(s).
func parseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: %q must be an absolute http or https URL", ErrInvalidEndpoint, netguard.RedactURL(raw))
	}
	return u, nil
}
