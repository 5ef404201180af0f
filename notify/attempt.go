package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/a12b7632/elementevents/netguard"
)

// attempt makes one delivery attempt, timed by dl, and records its
// outcome with rec, a context that a stop does not cancel (so recording is
// never cut short).
func (n *Notifier) attempt(rec context.Context, dl *deadline, d Delivery) {
	sent := n.current(d)
	number := len(d.Attempts) + 1
	var (
		header http.Header
		end    func(AttemptInfo)
	)
	if n.cfg.Tracer != nil {
		header = make(http.Header, 2)
		end = n.cfg.Tracer.StartAttempt(&sent, number, header)
	}
	r := n.sender.send(dl, sent, header)
	a, outcome, reason := r.Attempt, r.Outcome, r.Reason
	info := AttemptInfo{DeliveryID: d.ID, Endpoint: sent.Endpoint, Number: number, Attempt: a, Outcome: outcome}

	// Built only when something is logged: the success path logs at debug.
	log := func() *slog.Logger {
		l := n.cfg.Logger.With("delivery", d.ID, "endpoint", netguard.RedactURL(sent.Endpoint), "attempt", info.Number, "status", a.Status, "latency", a.Latency)
		if sent.Endpoint != d.Endpoint {
			l = l.With("stored_endpoint", netguard.RedactURL(d.Endpoint))
		}
		return l
	}
	var recErr error
	switch outcome {
	case OutcomeDelivered:
		n.stats.delivered.Add(1)
		n.setFailures(d.Endpoint, 0)
		recErr = n.cfg.Outbox.Ack(rec, d.ID, a)
		if n.cfg.Logger.Enabled(rec, slog.LevelDebug) {
			log().Debug("notify: delivered")
		}
	case OutcomeDisabled:
		// Concurrent attempts may all see the 410: disable and tell once.
		n.mu.Lock()
		first := !n.disabled[d.Endpoint]
		n.disabled[d.Endpoint] = true
		n.mu.Unlock()
		// Disable before the release: a delivery released to an endpoint
		// not yet disabled could be claimed and sent again in between.
		// Every attempt that saw the 410 disables (it is idempotent), so
		// none releases before the endpoint is off.
		recErr = n.cfg.Outbox.SetDisabled(rec, d.Endpoint, true, reason)
		recErr = errors.Join(recErr, n.cfg.Outbox.Release(rec, d.ID, a.At))
		if first {
			log().Warn("notify: endpoint disabled", "reason", reason)
			if n.cfg.OnDisabled != nil {
				n.cfg.OnDisabled(d.Endpoint, reason)
			}
		}
	case OutcomeRetry, OutcomeDead:
		n.countFailure(d.Endpoint)
		if outcome == OutcomeRetry {
			if next, ok := n.sender.NextAttempt(r, info.Number); ok {
				info.NextAttempt = next
				n.stats.retried.Add(1)
				recErr = n.cfg.Outbox.Retry(rec, d.ID, a, info.NextAttempt)
				log().Info("notify: attempt failed, will retry", "err", a.Error, "next", info.NextAttempt)
				break
			}
			reason = fmt.Sprintf("gave up after %d attempts: %s", info.Number, a.Error)
			info.Outcome = OutcomeDead
		}
		n.stats.dead.Add(1)
		recErr = n.cfg.Outbox.DeadLetter(rec, d.ID, a, reason)
		log().Warn("notify: dead-lettered", "reason", reason)
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
		log().Error("notify: could not record attempt", "err", recErr)
	}
	if end != nil {
		end(info)
	}
	if n.cfg.OnAttempt != nil {
		n.cfg.OnAttempt(info)
	}
}

// current returns d as its attempt sends it: to the endpoint and with the
// key Config.Endpoint gives for d's instance, or as stored. Everything
// else (the outbox, the per-endpoint accounting) goes by d.
func (n *Notifier) current(d Delivery) Delivery {
	if n.cfg.Endpoint == nil {
		return d
	}
	inst := DeliveryInstance(d)
	if inst == "" {
		return d
	}
	ep, ok := n.cfg.Endpoint(inst)
	if !ok {
		return d
	}
	d.Endpoint, d.Key = ep.URL, ep.Key
	return d
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
		n.cfg.Logger.Warn("notify: endpoint failing", "endpoint", netguard.RedactURL(endpoint), "failures", f)
		if n.cfg.OnFailing != nil {
			n.cfg.OnFailing(endpoint, f)
		}
	}
}
