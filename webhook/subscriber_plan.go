package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/vendorauth"
)

// hookNamePrefix starts the name of every vendor webhook the Subscriber
// registers for an instance: what tells ours from others'.
func hookNamePrefix(instanceID string) string { return "elementevents " + instanceID + " " }

// wantedHook is a webhook an instance should have at the vendor.
type wantedHook struct {
	vendorHook
	object string // the object type whose changes it sends ("customers")
}

// wanted returns the webhooks inst should have, by name: one per object
// (event.objects, else the definition's resources) and subscribed action.
func (s *Subscriber) wanted(inst *element.Instance, def *element.Definition) (map[string]wantedHook, error) {
	objects := inst.Configuration.Events.Objects
	if len(objects) == 0 {
		objects = slices.Sorted(maps.Keys(def.Resources))
	}
	if len(objects) == 0 {
		return nil, &SubscriptionError{Instance: inst.ID, Element: def.Key, Op: "configure", ConfigKey: "event.objects",
			Err: errors.New("no objects to subscribe to")}
	}
	deliveryURL := s.publicURL + "/events/" + url.PathEscape(inst.Element.Key) + "/" + url.PathEscape(inst.ID)
	topics := def.Webhook.Topics
	sep := topics.Separator
	out := map[string]wantedHook{}
	for _, object := range objects {
		resource := object
		for _, r := range slices.Sorted(maps.Keys(topics.Objects)) {
			if topics.Objects[r] == object {
				resource = r
				break
			}
		}
		for _, action := range def.Webhook.Subscription.Actions {
			topic := resource + sep + action
			name := hookNamePrefix(inst.ID) + topic
			out[name] = wantedHook{vendorHook{name: name, topic: topic, deliveryURL: deliveryURL}, object}
		}
	}
	return out, nil
}

// withSecret returns the instance with its webhook secret: the one its
// configuration holds; else the one this Subscriber generated for it
// before; else a new one. The last two are set on a copy of inst.
func (s *Subscriber) withSecret(sub *subscription, inst *element.Instance, def *element.Definition) (*element.Instance, error) {
	key := def.Webhook.SecretKey
	if v, ok := inst.Configuration.Get(key); ok && v != "" {
		if sub.secret != "" && sub.secret != v {
			sub.pushSecret = true // the host rotated it
		}
		sub.secret = v
		return inst, nil
	}
	if sub.secret == "" {
		var b [32]byte
		_, _ = rand.Read(b[:]) // never fails
		sub.secret = base64.RawURLEncoding.EncodeToString(b[:])
		// The vendor's webhooks of ours, if any, carry a secret this
		// process does not know.
		sub.pushSecret = true
	}
	cp, err := withConfig(inst, key, sub.secret)
	if err != nil {
		return inst, &SubscriptionError{Instance: inst.ID, Element: def.Key, Op: "configure", ConfigKey: key, Err: err}
	}
	return cp, nil
}

// withConfig returns a copy of inst with configuration key set to value;
// inst is not changed.
func withConfig(inst *element.Instance, key, value string) (*element.Instance, error) {
	raw, err := json.Marshal(inst.Configuration)
	if err != nil {
		return nil, fmt.Errorf("copying the configuration: %w", err)
	}
	var c element.Configuration
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("copying the configuration: %w", err)
	}
	c.Events = inst.Configuration.Events
	c.Set(key, value)
	cp := *inst
	cp.Configuration = c
	return &cp, nil
}

// reconcile brings the vendor's webhooks of ours in line with wanted, and
// notes a gap to fill for each object whose webhook it found not active,
// or gone after they were in place.
func (s *Subscriber) reconcile(ctx context.Context, sub *subscription, inst *element.Instance, def *element.Definition) error {
	vc, err := newVendorClient(s, inst, def)
	if err != nil {
		return err
	}
	want, err := s.wanted(inst, def)
	if err != nil {
		return err
	}
	listed := s.clock.Now()
	hooks, err := vc.list(ctx)
	if err != nil {
		return err
	}
	ours := map[string][]vendorHook{}
	prefix := hookNamePrefix(inst.ID)
	for _, h := range hooks {
		if strings.HasPrefix(h.name, prefix) {
			ours[h.name] = append(ours[h.name], h)
		}
	}
	active := def.Webhook.Subscription.ActiveStatus
	secret := vendorauth.Secret(sub.secret)
	var errs []error
	broken := map[string]bool{} // objects with a webhook that was down
	for _, name := range slices.Sorted(maps.Keys(want)) {
		w := want[name]
		found := ours[name]
		delete(ours, name)
		if len(found) == 0 {
			if err := vc.create(ctx, w.vendorHook, secret); err != nil {
				errs = append(errs, err)
				continue
			}
			if !sub.healthy.IsZero() || !s.lastReceived(inst.ID).IsZero() {
				broken[w.object] = true
				s.log.InfoContext(ctx, "webhook: recreated a deleted vendor webhook", "instance", inst.ID, "topic", w.topic)
			}
			continue
		}
		h := found[0]
		for _, extra := range found[1:] { // a duplicate of ours: a create retried after a lost answer
			errs = append(errs, vc.remove(ctx, extra))
		}
		if h.status == active && h.deliveryURL == w.deliveryURL && h.topic == w.topic && !sub.pushSecret {
			continue
		}
		if err := vc.update(ctx, h.id, w.vendorHook, secret); err != nil {
			errs = append(errs, err)
			continue
		}
		if h.status != active {
			broken[w.object] = true
			s.log.InfoContext(ctx, "webhook: re-activated a vendor webhook", "instance", inst.ID, "topic", w.topic, "status", h.status)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(ours)) {
		for _, h := range ours[name] {
			errs = append(errs, vc.remove(ctx, h))
		}
	}
	s.noteGaps(ctx, sub, inst, def, broken)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	sub.pushSecret = false
	sub.healthy = listed
	return nil
}
