package events

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// attempt makes one delivery attempt, timed by dl, and records its
// outcome with rec, a context that a stop does not cancel (so recording is
// never cut short).
func (n *Notifier) attempt(rec context.Context, dl *deadline, d Delivery) {
	clock := n.cfg.Clock
	start := clock.Now()
	status, header, body, err := n.send(dl.start(), d, start)
	dl.stop()
	if err != nil && dl.timedOut() {
		err = fmt.Errorf("%w after %v: %w", errAttemptTimeout, n.cfg.Timeout, err)
	}

	a := Attempt{At: start, Status: status, Latency: clock.Since(start), Response: body}
	outcome, reason, overloaded := n.classify(status, err)
	if err != nil {
		a.Error = err.Error()
	} else if outcome != OutcomeDelivered {
		a.Error = reason
	}
	info := AttemptInfo{DeliveryID: d.ID, Endpoint: d.Endpoint, Number: len(d.Attempts) + 1, Attempt: a, Outcome: outcome}

	// Built only when something is logged: the success path logs at debug.
	log := func() *slog.Logger {
		return n.cfg.Logger.With("delivery", d.ID, "endpoint", redactURL(d.Endpoint), "attempt", info.Number, "status", status, "latency", a.Latency)
	}
	var recErr error
	switch outcome {
	case OutcomeDelivered:
		n.stats.delivered.Add(1)
		n.setFailures(d.Endpoint, 0)
		recErr = n.cfg.Outbox.Ack(rec, d.ID, a)
		if n.cfg.Logger.Enabled(rec, slog.LevelDebug) {
			log().Debug("events: delivered")
		}
	case OutcomeDisabled:
		// Concurrent attempts may all see the 410: disable and tell once.
		n.mu.Lock()
		first := !n.disabled[d.Endpoint]
		n.disabled[d.Endpoint] = true
		n.mu.Unlock()
		recErr = n.cfg.Outbox.Release(rec, d.ID, start)
		if first {
			recErr = errors.Join(recErr, n.cfg.Outbox.SetDisabled(rec, d.Endpoint, true, reason))
			log().Warn("events: endpoint disabled", "reason", reason)
			if n.cfg.OnDisabled != nil {
				n.cfg.OnDisabled(d.Endpoint, reason)
			}
		}
	case OutcomeRetry, OutcomeDead:
		n.countFailure(d.Endpoint)
		if outcome == OutcomeRetry && info.Number < len(n.cfg.Schedule) {
			ra, hasRA := parseRetryAfter(header, clock.Now())
			info.NextAttempt = clock.Now().Add(retryDelay(n.cfg.Schedule[info.Number], n.cfg.Jitter, ra, hasRA, overloaded))
			n.stats.retried.Add(1)
			recErr = n.cfg.Outbox.Retry(rec, d.ID, a, info.NextAttempt)
			log().Info("events: attempt failed, will retry", "err", a.Error, "next", info.NextAttempt)
			break
		}
		if outcome == OutcomeRetry {
			reason = fmt.Sprintf("gave up after %d attempts: %s", info.Number, a.Error)
			info.Outcome = OutcomeDead
		}
		n.stats.dead.Add(1)
		recErr = n.cfg.Outbox.DeadLetter(rec, d.ID, a, reason)
		log().Warn("events: dead-lettered", "reason", reason)
		if n.cfg.OnExhausted != nil {
			d.State, d.DeadReason = Dead, reason
			d.Attempts = append(d.Attempts, a)
			n.cfg.OnExhausted(d)
		}
	}
	n.stats.attempts.Add(1)
	if recErr != nil {
		// The delivery stays leased; when the lease ends it is attempted
		// again, so nothing is lost.
		log().Error("events: could not record attempt", "err", recErr)
	}
	if n.cfg.OnAttempt != nil {
		n.cfg.OnAttempt(info)
	}
}

// send posts the signed notification and reads at most MaxResponseBody of
// the answer.
func (n *Notifier) send(ctx context.Context, d Delivery, now time.Time) (int, http.Header, []byte, error) {
	req, err := n.request(ctx, d)
	if err != nil {
		return 0, nil, nil, err
	}
	if len(d.Key) > 0 {
		s, err := n.signer(d.Key)
		if err != nil {
			return 0, nil, nil, err
		}
		s.SetHeaders(req.Header, d.ID, now, d.Body)
	} else {
		req.Header["Elements-Webhook-Id"] = []string{d.ID}
		req.Header["Webhook-Id"] = []string{d.ID}
		req.Header["Webhook-Timestamp"] = []string{strconv.FormatInt(now.Unix(), 10)}
	}
	resp, err := n.roundTrip(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength == 0 {
		return resp.StatusCode, resp.Header, nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	if err != nil && resp.StatusCode/100 == 2 {
		// The receiver said yes; a broken body after that changes nothing.
		err = nil
	}
	return resp.StatusCode, resp.Header, body, err
}

// request builds the POST of d's body to its endpoint. The endpoint's URL
// is parsed once and shared by its requests (a request never modifies it).
func (n *Notifier) request(ctx context.Context, d Delivery) (*http.Request, error) {
	u, err := n.endpointURL(d.Endpoint)
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
	req.Header["User-Agent"] = n.userAgent
	return req, nil
}

// endpointURL returns the parsed callback URL, cached per endpoint.
func (n *Notifier) endpointURL(raw string) (*url.URL, error) {
	n.mu.Lock()
	u, ok := n.urls[raw]
	n.mu.Unlock()
	if ok {
		return u, nil
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: %q must be an absolute http or https URL", ErrInvalidEndpoint, redactURL(raw))
	}
	n.mu.Lock()
	if len(n.urls) >= maxCachedURLs {
		clear(n.urls) // callback URLs are few; this bounds a pathological many
	}
	n.urls[raw] = u
	n.mu.Unlock()
	return u, nil
}

// roundTrip sends req without following redirects. A client with no
// cookie jar and no timeout of its own adds nothing to its transport that
// the Notifier uses (it never follows redirects and times attempts on its
// clock), so the request goes to the transport directly, saving the
// client's per-request copies.
func (n *Notifier) roundTrip(req *http.Request) (*http.Response, error) {
	c := n.cfg.Client
	if c.Jar != nil || c.Timeout != 0 {
		resp, err := c.Do(req)
		var ue *url.Error
		if errors.As(err, &ue) {
			// Its text would carry the URL's query, which may hold a token.
			ue.URL = redactURL(ue.URL)
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
		return nil, &url.Error{Op: "Post", URL: redactURL(req.URL.String()), Err: err}
	}
	return resp, nil
}

// jsonContentType is the Content-Type of every notification.
var jsonContentType = []string{"application/json"}

// maxCachedURLs bounds the Notifier's cache of parsed callback URLs.
const maxCachedURLs = 4096

// classify applies the outcome rules: 2xx delivered; 410 disables the
// endpoint; 408, 425, 429, 5xx, 3xx, timeouts and network errors are
// retried (429 and timeouts no sooner than a minute); an address the guard
// refuses and other 4xx are dead at once (unless RetryClientErrors).
func (n *Notifier) classify(status int, err error) (o Outcome, reason string, overloaded bool) {
	if err != nil {
		switch {
		case errors.Is(err, ErrBlocked), errors.Is(err, ErrInvalidEndpoint):
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
	case n.cfg.RetryClientErrors:
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

func (n *Notifier) setFailures(endpoint string, v int) {
	n.mu.Lock()
	n.failures[endpoint] = v
	n.mu.Unlock()
}

// countFailure counts a failed attempt and calls OnFailing when the
// endpoint reaches FailingAfter in a row.
func (n *Notifier) countFailure(endpoint string) {
	n.mu.Lock()
	n.failures[endpoint]++
	f := n.failures[endpoint]
	n.mu.Unlock()
	if f == n.cfg.FailingAfter {
		n.cfg.Logger.Warn("events: endpoint failing", "endpoint", redactURL(endpoint), "failures", f)
		if n.cfg.OnFailing != nil {
			n.cfg.OnFailing(endpoint, f)
		}
	}
}
