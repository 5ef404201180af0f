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
	"strconv"
	"time"
)

// errAttemptTimeout is the cause of an attempt's context when Timeout runs
// out (on the injected clock).
var errAttemptTimeout = errors.New("attempt timed out")

// attempt makes one delivery attempt and records its outcome.
func (n *Notifier) attempt(ctx context.Context, d Delivery) {
	clock := n.cfg.Clock
	ctx, cancel := context.WithCancelCause(ctx)
	timer := clock.AfterFunc(n.cfg.Timeout, func() { cancel(errAttemptTimeout) })
	start := clock.Now()
	status, header, body, err := n.send(ctx, d, start)
	timer.Stop()
	if err != nil && errors.Is(context.Cause(ctx), errAttemptTimeout) {
		err = fmt.Errorf("%w after %v: %w", errAttemptTimeout, n.cfg.Timeout, err)
	}
	cancel(nil)

	a := Attempt{At: start, Status: status, Latency: clock.Since(start), Response: body}
	outcome, reason, overloaded := n.classify(status, err)
	if err != nil {
		a.Error = err.Error()
	} else if outcome != OutcomeDelivered {
		a.Error = reason
	}
	info := AttemptInfo{DeliveryID: d.ID, Endpoint: d.Endpoint, Number: len(d.Attempts) + 1, Attempt: a, Outcome: outcome}

	// Recording must not be cut short by the stop that may be under way.
	rec := context.WithoutCancel(ctx)
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoint, bytes.NewReader(d.Body))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%w: %w", ErrInvalidEndpoint, err)
	}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["User-Agent"] = []string{n.cfg.UserAgent}
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
	resp, err := n.cfg.Client.Do(req)
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
