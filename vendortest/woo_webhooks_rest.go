package vendortest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The statuses of a WooCommerce webhook: active delivers; paused is set
// by the admin; disabled is set by the store after wooMaxFailures
// deliveries in a row were not answered 2xx.
const (
	wooWebhookActive   = "active"
	wooWebhookPaused   = "paused"
	wooWebhookDisabled = "disabled"
)

// wooMaxFailures is how many failed deliveries in a row disable a
// webhook, as in WooCommerce.
const wooMaxFailures = 5

// WooWebhook is a webhook of the store as its REST API lists it, without
// the secret, which WooCommerce never shows.
type WooWebhook struct {
	ID                               int
	Name, Topic, DeliveryURL, Status string
	// Failures counts the deliveries in a row not answered 2xx.
	Failures int
}

// Webhooks returns the store's webhooks, by id.
func (s *WooCommerce) Webhooks() []WooWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WooWebhook, len(s.webhooks))
	for i, h := range s.webhooks {
		out[i] = WooWebhook{ID: h.id, Name: h.name, Topic: h.topic, DeliveryURL: h.deliveryURL, Status: h.status, Failures: h.failures}
	}
	return out
}

// SetWebhookStatus sets a webhook's status as the store does after
// repeated failed deliveries (disabled) or as its admin does (paused,
// active); a webhook that is not active is not delivered to. It returns
// an error wrapping [ErrNoRecord] for an unknown id.
func (s *WooCommerce) SetWebhookStatus(id int, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.webhook(id)
	if h == nil {
		return fmt.Errorf("%w: webhook %d", ErrNoRecord, id)
	}
	h.status, h.modified = status, s.clock.Now()
	return nil
}

// DeleteWebhook deletes a webhook as the store's admin does. It returns
// an error wrapping [ErrNoRecord] for an unknown id.
func (s *WooCommerce) DeleteWebhook(id int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.webhooks, func(h wooWebhook) bool { return h.id == id })
	if i < 0 {
		return fmt.Errorf("%w: webhook %d", ErrNoRecord, id)
	}
	s.webhooks = slices.Delete(s.webhooks, i, i+1)
	return nil
}

// webhook returns the webhook id, or nil. s.mu is held.
func (s *WooCommerce) webhook(id int) *wooWebhook {
	for i := range s.webhooks {
		if s.webhooks[i].id == id {
			return &s.webhooks[i]
		}
	}
	return nil
}

// delivered records the outcome of a delivery by webhook id: a failure
// counts towards disabling it, a success resets the count.
func (s *WooCommerce) delivered(id int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.webhook(id)
	if h == nil {
		return
	}
	if err == nil {
		h.failures = 0
		return
	}
	if h.failures++; h.failures >= wooMaxFailures {
		h.status, h.modified = wooWebhookDisabled, s.clock.Now()
	}
}

// wooWebhookBody is what a create or update sends; a nil field is not
// changed.
type wooWebhookBody struct {
	Name        *string `json:"name"`
	Topic       *string `json:"topic"`
	DeliveryURL *string `json:"delivery_url"`
	Secret      *string `json:"secret"`
	Status      *string `json:"status"`
}

// serveWebhooks serves /webhooks and /webhooks/{id}: list, create,
// retrieve, update and delete, as WooCommerce's REST API v3 does.
func (s *WooCommerce) serveWebhooks(w http.ResponseWriter, r *http.Request, entry *LoggedRequest, rest string) {
	entry.Resource = "webhooks"
	if e := s.authenticate(r); e != nil {
		s.fail(w, *e)
		return
	}
	page := 0
	if rest == "" && r.Method == http.MethodGet {
		page = 1
		if p, err := strconv.Atoi(entry.Query.Get("page")); err == nil {
			page = p
		}
		entry.Page = page
	}
	f := s.faults.match("webhooks", page)
	entry.Fault = f
	if !holdFor(s.clock, s.closed, r, f) {
		return
	}
	if f != nil && f.Status != 0 {
		s.fail(w, wpError{f.Status, "vendortest_fault", http.StatusText(f.Status), nil})
		return
	}
	switch {
	case rest == "" && r.Method == http.MethodGet:
		s.listWebhooks(w, entry)
	case rest == "" && r.Method == http.MethodPost:
		s.createWebhook(w, r)
	case rest != "":
		id, err := strconv.Atoi(rest)
		if err != nil || id <= 0 {
			s.fail(w, wpError{http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.", nil})
			return
		}
		s.oneWebhook(w, r, entry, id)
	default:
		s.fail(w, wpError{http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.", nil})
	}
}

func (s *WooCommerce) listWebhooks(w http.ResponseWriter, entry *LoggedRequest) {
	page, perPage, e := pageParams(entry.Query)
	if e != nil {
		s.fail(w, *e)
		return
	}
	status := entry.Query.Get("status")
	home := s.URL() + "/"
	s.mu.Lock()
	var all []any
	// Newest first, as WooCommerce orders by date descending.
	for _, h := range slices.Backward(s.webhooks) {
		if status == "" || status == "all" || status == h.status {
			all = append(all, h.wire(home, s.site))
			entry.IDs = append(entry.IDs, strconv.Itoa(h.id))
		}
	}
	s.mu.Unlock()
	total := len(all)
	lo, hi := min((page-1)*perPage, total), min(page*perPage, total)
	entry.IDs = entry.IDs[lo:hi]
	w.Header().Set(wooHeaderTotal, strconv.Itoa(total))
	w.Header().Set(wooHeaderTotalPages, strconv.Itoa((total+perPage-1)/perPage))
	s.answerJSON(w, http.StatusOK, append([]any{}, all[lo:hi]...))
}

func (s *WooCommerce) createWebhook(w http.ResponseWriter, r *http.Request) {
	body, e := readWebhookBody(r)
	if e != nil {
		s.fail(w, *e)
		return
	}
	h := wooWebhook{status: wooWebhookActive}
	if e := h.apply(body, true); e != nil {
		s.fail(w, *e)
		return
	}
	now := s.clock.Now()
	s.mu.Lock()
	s.lastWebhook++
	h.id, h.created, h.modified = s.lastWebhook, now, now
	if h.name == "" {
		h.name = "Webhook created on " + now.In(s.site).Format("January 2, 2006 @ 03:04 PM")
	}
	s.webhooks = append(s.webhooks, h)
	wire := h.wire(s.URL()+"/", s.site)
	s.mu.Unlock()
	// WooCommerce pings a new webhook's URL; whether the ping is answered
	// does not decide whether the webhook is saved.
	_ = s.ping(r.Context(), h.id, h.deliveryURL)
	s.answerJSON(w, http.StatusCreated, wire)
}

func (s *WooCommerce) oneWebhook(w http.ResponseWriter, r *http.Request, entry *LoggedRequest, id int) {
	notFound := wpError{http.StatusNotFound, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.", nil}
	var body wooWebhookBody
	if r.Method == http.MethodPut || r.Method == http.MethodPatch || r.Method == http.MethodPost {
		b, e := readWebhookBody(r)
		if e != nil {
			s.fail(w, *e)
			return
		}
		body = b
	}
	home := s.URL() + "/"
	s.mu.Lock()
	h := s.webhook(id)
	if h == nil {
		s.mu.Unlock()
		s.fail(w, notFound)
		return
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPut, http.MethodPatch, http.MethodPost:
		changed := *h
		if e := changed.apply(body, false); e != nil {
			s.mu.Unlock()
			s.fail(w, *e)
			return
		}
		changed.modified = s.clock.Now()
		if changed.status != h.status || changed.deliveryURL != h.deliveryURL {
			changed.failures = 0
		}
		*h = changed
	case http.MethodDelete:
		if entry.Query.Get("force") != "true" {
			s.mu.Unlock()
			s.fail(w, wpError{http.StatusNotImplemented, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", nil})
			return
		}
		wire := h.wire(home, s.site)
		s.webhooks = slices.DeleteFunc(s.webhooks, func(x wooWebhook) bool { return x.id == id })
		s.mu.Unlock()
		s.answerJSON(w, http.StatusOK, wire)
		return
	default:
		s.mu.Unlock()
		s.fail(w, wpError{http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.", nil})
		return
	}
	wire := h.wire(home, s.site)
	s.mu.Unlock()
	s.answerJSON(w, http.StatusOK, wire)
}

// readWebhookBody reads a create or update's JSON body.
func readWebhookBody(r *http.Request) (wooWebhookBody, *wpError) {
	var b wooWebhookBody
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(data, &b)
	}
	if err != nil {
		return b, &wpError{http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.", nil}
	}
	return b, nil
}

// apply changes h as a create (all of topic and delivery URL needed) or an
// update would, refusing what WooCommerce refuses.
func (h *wooWebhook) apply(b wooWebhookBody, create bool) *wpError {
	if b.Topic != nil || create {
		topic := ""
		if b.Topic != nil {
			topic = strings.ToLower(*b.Topic)
		}
		if !validWooTopic(topic) {
			return &wpError{http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_topic", "Webhook topic is required and must be valid.", nil}
		}
		h.topic = topic
	}
	if b.DeliveryURL != nil || create {
		u := ""
		if b.DeliveryURL != nil {
			u = *b.DeliveryURL
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return &wpError{http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_delivery_url",
				"Webhook delivery URL must be a valid URL starting with http:// or https://.", nil}
		}
		h.deliveryURL = u
	}
	if b.Status != nil {
		switch *b.Status {
		case wooWebhookActive, wooWebhookPaused, wooWebhookDisabled:
			h.status = *b.Status
		default:
			return invalidParam("status", "status is not one of active, paused, and disabled.")
		}
	}
	if b.Name != nil {
		h.name = *b.Name
	}
	if b.Secret != nil {
		h.secret = *b.Secret
	}
	return nil
}

// validWooTopic reports a core topic of a resource the store has, or a
// custom action topic.
func validWooTopic(topic string) bool {
	resource, event, ok := strings.Cut(topic, ".")
	if !ok || event == "" {
		return false
	}
	if resource == "action" {
		return true
	}
	for _, res := range wooResources {
		if res.topic == resource {
			return slices.Contains([]string{"created", "updated", "deleted", "restored"}, event)
		}
	}
	return false
}

// wire is the webhook as the REST API serves it: no secret.
func (h wooWebhook) wire(home string, site *time.Location) any {
	resource, event, _ := strings.Cut(h.topic, ".")
	created, createdGMT := stamp(h.created, site)
	modified, modifiedGMT := stamp(h.modified, site)
	return struct {
		ID              int      `json:"id"`
		Name            string   `json:"name"`
		Status          string   `json:"status"`
		Topic           string   `json:"topic"`
		Resource        string   `json:"resource"`
		Event           string   `json:"event"`
		Hooks           []string `json:"hooks"`
		DeliveryURL     string   `json:"delivery_url"`
		DateCreated     *string  `json:"date_created"`
		DateCreatedGMT  *string  `json:"date_created_gmt"`
		DateModified    *string  `json:"date_modified"`
		DateModifiedGMT *string  `json:"date_modified_gmt"`
		Links           wooLinks `json:"_links"`
	}{h.id, h.name, h.status, h.topic, resource, event, []string{}, h.deliveryURL,
		created, createdGMT, modified, modifiedGMT, links(home, "webhooks", h.id)}
}

// answerJSON answers v as WordPress does.
func (s *WooCommerce) answerJSON(w http.ResponseWriter, status int, v any) {
	body := s.encodeJSON(w, v)
	if body == nil {
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// encodeJSON returns v as WordPress writes it, with the Date and
// Content-Type of a JSON answer set on w; when v does not encode, it
// answers 500 and returns nil.
func (s *WooCommerce) encodeJSON(w http.ResponseWriter, v any) []byte {
	body, err := wpJSON(v)
	if err != nil {
		s.fail(w, wpError{http.StatusInternalServerError, "internal_server_error", err.Error(), nil})
		return nil
	}
	h := w.Header()
	h.Set("Date", s.clock.Now().UTC().Format(http.TimeFormat))
	h.Set("Content-Type", "application/json; charset=UTF-8")
	return body
}

// ping posts webhook_id=N to a new webhook's delivery URL, as WooCommerce
// does when a webhook is saved, and reports whether it was answered 2xx.
func (s *WooCommerce) ping(ctx context.Context, id int, deliveryURL string) error {
	body := wooPingField + "=" + strconv.Itoa(id)
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, deliveryURL, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", wooUserAgent)
	return s.send(req)
}
