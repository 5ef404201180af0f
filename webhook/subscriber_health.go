package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
)

// noteGaps remembers, for each object whose webhook was down, that its
// changes since the last webhook received (else since the last healthy
// reconcile) must be polled once. Objects without a poll resource are
// skipped: nothing can fill their gap.
func (s *Subscriber) noteGaps(ctx context.Context, sub *subscription, inst *element.Instance, def *element.Definition, broken map[string]bool) {
	if s.backfill == nil || len(broken) == 0 {
		return
	}
	since := s.lastReceived(inst.ID)
	if since.IsZero() {
		since = sub.healthy
	}
	for _, object := range slices.Sorted(maps.Keys(broken)) {
		if _, ok := pollResource(inst, def, object); !ok {
			continue
		}
		if since.IsZero() {
			s.log.WarnContext(ctx, "webhook: a vendor webhook was down since an unknown time; its gap cannot be filled",
				"instance", inst.ID, "object", object)
			continue
		}
		if old, ok := sub.gaps[object]; !ok || since.Before(old) {
			sub.gaps[object] = since
		}
	}
}

// pollResource reports whether the instance or its element defines a
// poll resource for object.
func pollResource(inst *element.Instance, def *element.Definition, object string) (element.Resource, bool) {
	if r, ok := inst.Configuration.Events.Resources[object]; ok {
		return r, true
	}
	r, ok := def.Resources[object]
	return r, ok
}

// fillGaps runs the pending gap fills; one that fails stays pending for
// the next reconcile.
func (s *Subscriber) fillGaps(ctx context.Context, sub *subscription, inst *element.Instance, def *element.Definition) error {
	var errs []error
	for _, object := range slices.Sorted(maps.Keys(sub.gaps)) {
		since := sub.gaps[object]
		if err := s.backfill(ctx, inst, object, since); err != nil {
			errs = append(errs, &SubscriptionError{Instance: inst.ID, Element: def.Key, Op: "backfill " + object, Err: err})
			continue
		}
		delete(sub.gaps, object)
		s.log.InfoContext(ctx, "webhook: polled the changes a vendor webhook missed", "instance", inst.ID, "object", object, "since", since)
	}
	return errors.Join(errs...)
}

// health reports a change of the instance's subscription health: one
// warning and one SubscriptionFailing status when a reconcile fails after
// one that did not; one warning and one Recovered status when a reconcile
// succeeds after one that failed. A status the Sink refuses is sent again
// at the next reconcile.
func (s *Subscriber) health(ctx context.Context, sub *subscription, inst *element.Instance, err error) {
	if err != nil {
		if !sub.failing {
			sub.failing = true
			s.log.WarnContext(ctx, "webhook: the instance's vendor webhooks cannot be set up or repaired; its changes may be missed",
				"instance", inst.ID, "element", inst.Element.Key, "error", err)
		}
		if !sub.notified {
			sub.notified = s.publish(ctx, inst, failingStatus(s.clock.Now(), err)) == nil
		}
		return
	}
	if !sub.failing {
		return
	}
	if sub.notified {
		st := events.Status{State: events.Recovered, Cause: events.SubscriptionFailing, Date: s.clock.Now(),
			Reason: "the vendor webhook subscriptions are in place again"}
		if s.publish(ctx, inst, st) != nil {
			return
		}
	}
	sub.failing, sub.notified = false, false
	s.log.WarnContext(ctx, "webhook: the instance's vendor webhooks are in place again", "instance", inst.ID, "element", inst.Element.Key)
}

// failingStatus describes err, which names no secret, for the consumer.
func failingStatus(now time.Time, err error) events.Status {
	st := events.Status{State: events.SubscriptionFailing, Date: now, Count: 1,
		Reason: "the vendor webhook subscriptions could not be set up or repaired: " + err.Error()}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		st.Count = len(j.Unwrap())
	}
	if se, ok := errors.AsType[*SubscriptionError](err); ok {
		st.ConfigKey = se.ConfigKey
	}
	return st
}

// publish sends an instance status to the Sink; a refusal is logged.
func (s *Subscriber) publish(ctx context.Context, inst *element.Instance, st events.Status) error {
	if s.sink == nil {
		return nil
	}
	ev := inst.Configuration.Events
	b := events.Batch{
		Instance: events.Instance{ID: inst.ID, Name: inst.Name, ElementKey: inst.Element.Key, Tags: inst.Tags},
		Endpoint: events.Endpoint{URL: ev.CallbackURL, Key: bytes.Clone(ev.SignatureKey)},
		Source:   events.FromWebhook,
		Status:   &st,
	}
	if err := s.sink.Publish(ctx, b); err != nil {
		s.log.ErrorContext(ctx, "webhook: the sink refused an instance status", "instance", inst.ID, "state", st.State, "error", err)
		return fmt.Errorf("publishing status %s: %w", st.State, err)
	}
	return nil
}
