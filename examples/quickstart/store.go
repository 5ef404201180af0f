package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// store is a fake WooCommerce store, as much of one as the quickstart
// needs: the customers endpoint of the REST API v3
// (GET /wp-json/wc/v3/customers) and the webhooks WooCommerce sends when a
// customer is created, updated or deleted.
//
// What it copies from WooCommerce, because the library depends on it:
//   - customers have WooCommerce's field shapes; dates are written twice,
//     in the site's time zone (date_created) and in GMT (date_created_gmt),
//     both without a zone suffix; date_modified moves on every change;
//   - the list is paged with page and per_page (1 to 100, default 10),
//     with the X-WP-Total and X-WP-TotalPages headers and a Link header,
//     and sorted by orderby (name by default; id, registered_date) and order;
//   - the Date header is the store's clock, which the poller trusts over
//     its own;
//   - the consumer key and secret are checked with HTTP Basic auth (a real
//     store accepts Basic only over HTTPS; this one is on loopback);
//   - a webhook is pinged with the form body webhook_id=N when it is added,
//     and must answer 200 or is not saved;
//   - each delivery is a POST of the customer as the REST API returns it
//     ({"id": N} for customer.deleted), JSON-encoded as WordPress does it
//     (slashes escaped), with X-WC-Webhook-Signature, the base64
//     HMAC-SHA256 of those exact bytes keyed with the webhook's secret,
//     and the other X-WC-Webhook-* headers.
//
// WooCommerce sends webhooks from a background queue shortly after the
// change; this store sends them before the change call returns, so that
// the quickstart's output comes in a fixed order.
type store struct {
	clock       clockwork.Clock
	site        *time.Location // the site's time zone, for date_created and date_modified
	key, secret string         // the REST API consumer key and secret
	client      *http.Client   // sends the webhooks

	mu        sync.Mutex
	home      string // the store's home URL, with a trailing slash
	customers map[int]*customer
	lastID    int
	webhooks  []storeWebhook
}

// storeWebhook is one webhook configured in the store (WooCommerce >
// Settings > Advanced > Webhooks): a topic, a delivery URL and a secret.
type storeWebhook struct {
	id          int
	topic       string
	deliveryURL string
	secret      string
}

// customer is a customer as GET /wp-json/wc/v3/customers returns it.
type customer struct {
	ID               int      `json:"id"`
	DateCreated      string   `json:"date_created"`
	DateCreatedGMT   string   `json:"date_created_gmt"`
	DateModified     string   `json:"date_modified"`
	DateModifiedGMT  string   `json:"date_modified_gmt"`
	Email            string   `json:"email"`
	FirstName        string   `json:"first_name"`
	LastName         string   `json:"last_name"`
	Role             string   `json:"role"`
	Username         string   `json:"username"`
	Billing          address  `json:"billing"`
	Shipping         address  `json:"shipping"`
	IsPayingCustomer bool     `json:"is_paying_customer"`
	AvatarURL        string   `json:"avatar_url"`
	MetaData         []meta   `json:"meta_data"`
	Links            resLinks `json:"_links"`

	created time.Time // for orderby=registered_date
}

// address is a customer's billing or shipping address. Shipping has no
// email.
type address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone"`
}

type meta struct {
	ID    int    `json:"id"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

type link struct {
	Href string `json:"href"`
}

type resLinks struct {
	Self       []link `json:"self"`
	Collection []link `json:"collection"`
}

// wooDate is how WooCommerce writes dates: no zone, no fraction.
const wooDate = "2006-01-02T15:04:05"

// newStore returns an empty store whose dates come from clock, in the
// site's time zone, that accepts the consumer key and secret given.
func newStore(clock clockwork.Clock, site *time.Location, key, secret string) *store {
	return &store{
		clock:     clock,
		site:      site,
		key:       key,
		secret:    secret,
		client:    &http.Client{Timeout: 10 * time.Second},
		customers: make(map[int]*customer),
	}
}

// setHome sets the store's home URL, once it is served: it appears in
// the customers' links and in the X-WC-Webhook-Source header.
func (s *store) setHome(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.home = strings.TrimSuffix(u, "/") + "/"
}

// ---------------------------------------------------------------------------
// Changing customers, as the shop's admin or a shopper would.

// addCustomer creates a customer registered at created, without sending
// any webhook: it fills the store before the story starts.
func (s *store) addCustomer(first, last, email, city string, created time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newCustomer(first, last, email, city, created).ID
}

// createCustomer registers a customer now and sends customer.created.
func (s *store) createCustomer(ctx context.Context, first, last, email, city string) (int, error) {
	s.mu.Lock()
	c := s.newCustomer(first, last, email, city, s.clock.Now())
	payload, hooks := *c, s.hooksFor("customer.created")
	s.mu.Unlock()
	return payload.ID, s.deliver(ctx, hooks, "customer.created", payload)
}

// updateCustomer applies change to customer id, dates the change now and
// sends customer.updated.
func (s *store) updateCustomer(ctx context.Context, id int, change func(*customer)) error {
	s.mu.Lock()
	c, ok := s.customers[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("store: no customer %d", id)
	}
	change(c)
	c.DateModified, c.DateModifiedGMT = s.stamp(s.clock.Now())
	payload, hooks := *c, s.hooksFor("customer.updated")
	s.mu.Unlock()
	return s.deliver(ctx, hooks, "customer.updated", payload)
}

// deleteCustomer deletes customer id and sends customer.deleted, whose
// payload is only the id.
func (s *store) deleteCustomer(ctx context.Context, id int) error {
	s.mu.Lock()
	if _, ok := s.customers[id]; !ok {
		s.mu.Unlock()
		return fmt.Errorf("store: no customer %d", id)
	}
	delete(s.customers, id)
	hooks := s.hooksFor("customer.deleted")
	s.mu.Unlock()
	return s.deliver(ctx, hooks, "customer.deleted", map[string]int{"id": id})
}

// newCustomer stores a customer with the next id. s.mu is held.
func (s *store) newCustomer(first, last, email, city string, created time.Time) *customer {
	s.lastID++
	id := s.lastID
	addr := address{
		FirstName: first, LastName: last, Address1: "969 Market", City: city,
		State: "CA", Postcode: "94103", Country: "US",
	}
	billing := addr
	billing.Email, billing.Phone = email, "(555) 555-5555"
	c := &customer{
		ID: id, Email: email, FirstName: first, LastName: last,
		Role: "customer", Username: strings.ToLower(first + "." + last),
		Billing: billing, Shipping: addr,
		AvatarURL: "https://secure.gravatar.com/avatar/?s=96&d=mm&r=g",
		MetaData:  []meta{},
		Links: resLinks{
			Self:       []link{{Href: fmt.Sprintf("%swp-json/wc/v3/customers/%d", s.home, id)}},
			Collection: []link{{Href: s.home + "wp-json/wc/v3/customers"}},
		},
		created: created,
	}
	c.DateCreated, c.DateCreatedGMT = s.stamp(created)
	c.DateModified, c.DateModifiedGMT = c.DateCreated, c.DateCreatedGMT
	s.customers[id] = c
	return c
}

// stamp writes t as WooCommerce does: in the site's zone and in GMT.
func (s *store) stamp(t time.Time) (site, gmt string) {
	return t.In(s.site).Format(wooDate), t.UTC().Format(wooDate)
}

// ---------------------------------------------------------------------------
// The REST API.

// ServeHTTP serves GET /wp-json/wc/v3/customers; every other route is
// WordPress's 404.
func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The poller moves its window on the vendor's clock: give it ours.
	w.Header().Set("Date", s.clock.Now().UTC().Format(http.TimeFormat))
	if r.Method != http.MethodGet || r.URL.Path != "/wp-json/wc/v3/customers" {
		restError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != s.key || pass != s.secret {
		restError(w, http.StatusUnauthorized, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
		return
	}
	q := r.URL.Query()
	page, err1 := intParam(q, "page", 1, 1, 1<<31-1)
	perPage, err2 := intParam(q, "per_page", 10, 1, 100)
	if err := errors.Join(err1, err2); err != nil {
		restError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): "+err.Error())
		return
	}

	s.mu.Lock()
	list := make([]customer, 0, len(s.customers))
	for _, c := range s.customers {
		list = append(list, *c)
	}
	s.mu.Unlock()
	if err := sortCustomers(list, q.Get("orderby"), q.Get("order")); err != nil {
		restError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): "+err.Error())
		return
	}

	total := len(list)
	pages := (total + perPage - 1) / perPage
	from, to := min((page-1)*perPage, total), min(page*perPage, total)
	w.Header().Set("X-WP-Total", strconv.Itoa(total))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa(pages))
	w.Header().Set("Link", pageLinks(r.URL, page, pages))
	body, err := wpJSON(list[from:to])
	if err != nil {
		restError(w, http.StatusInternalServerError, "internal_server_error", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(body)
}

// sortCustomers orders the list as WooCommerce's orderby and order ask.
func sortCustomers(list []customer, orderby, order string) error {
	var by func(a, b customer) int
	switch orderby {
	case "", "name": // WooCommerce's default: the display name
		by = func(a, b customer) int {
			return cmp.Or(cmp.Compare(a.FirstName+" "+a.LastName, b.FirstName+" "+b.LastName), cmp.Compare(a.ID, b.ID))
		}
	case "id", "include":
		by = func(a, b customer) int { return cmp.Compare(a.ID, b.ID) }
	case "registered_date":
		by = func(a, b customer) int { return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.ID, b.ID)) }
	default:
		return fmt.Errorf("orderby is not one of id, include, name, registered_date")
	}
	switch order {
	case "", "asc":
		slices.SortFunc(list, by)
	case "desc":
		slices.SortFunc(list, func(a, b customer) int { return by(b, a) })
	default:
		return fmt.Errorf("order is not one of asc, desc")
	}
	return nil
}

// intParam reads an integer query parameter within [lo, hi].
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be between %d (inclusive) and %d (inclusive)", name, lo, hi)
	}
	return n, nil
}

// pageLinks is the Link header WordPress sends with a paged collection.
func pageLinks(u *url.URL, page, pages int) string {
	at := func(p int) string {
		v := u.Query()
		v.Set("page", strconv.Itoa(p))
		return (&url.URL{Path: u.Path, RawQuery: v.Encode()}).String()
	}
	var links []string
	if page > 1 && pages > 0 {
		links = append(links, fmt.Sprintf(`<%s>; rel="prev"`, at(min(page-1, pages))))
	}
	if page < pages {
		links = append(links, fmt.Sprintf(`<%s>; rel="next"`, at(page+1)))
	}
	return strings.Join(links, ", ")
}

// restError writes a WordPress REST API error.
func restError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(map[string]any{"code": code, "message": message, "data": map[string]int{"status": status}})
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	w.Write(body)
}

// wpJSON encodes v as WordPress's wp_json_encode does: "/" written as
// "\/", and <, > and & left alone. The signature covers these exact bytes,
// which is why a receiver must verify the raw body, never a re-encoding.
func wpJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	// A "/" can only occur inside a JSON string, so this is safe.
	return bytes.ReplaceAll(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("/"), []byte(`\/`)), nil
}

// ---------------------------------------------------------------------------
// Webhooks.

// wooUserAgent is what WooCommerce's webhook sender calls itself.
const wooUserAgent = "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)"

// addWebhook configures a webhook for topic, as saving one in the store's
// settings does: the delivery URL is pinged first and must answer 200.
func (s *store) addWebhook(ctx context.Context, topic, deliveryURL, secret string) error {
	s.mu.Lock()
	id := len(s.webhooks) + 1
	s.mu.Unlock()

	ping := "webhook_id=" + strconv.Itoa(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, deliveryURL, strings.NewReader(ping))
	if err != nil {
		return fmt.Errorf("store: webhook %s: %w", topic, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", wooUserAgent)
	if err := s.send(req); err != nil {
		return fmt.Errorf("store: webhook %s not saved: delivery URL did not accept the ping: %w", topic, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhooks = append(s.webhooks, storeWebhook{id: id, topic: topic, deliveryURL: deliveryURL, secret: secret})
	return nil
}

// hooksFor returns the webhooks configured for topic. s.mu is held.
func (s *store) hooksFor(topic string) []storeWebhook {
	var out []storeWebhook
	for _, h := range s.webhooks {
		if h.topic == topic {
			out = append(out, h)
		}
	}
	return out
}

// deliver POSTs payload to every webhook of topic, signed with each
// webhook's secret.
func (s *store) deliver(ctx context.Context, hooks []storeWebhook, topic string, payload any) error {
	body, err := wpJSON(payload)
	if err != nil {
		return fmt.Errorf("store: %s: %w", topic, err)
	}
	resource, event, _ := strings.Cut(topic, ".")
	s.mu.Lock()
	home := s.home
	s.mu.Unlock()
	for _, h := range hooks {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.deliveryURL, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("store: webhook %d: %w", h.id, err)
		}
		mac := hmac.New(sha256.New, []byte(h.secret))
		mac.Write(body)
		hd := req.Header
		hd.Set("Content-Type", "application/json")
		hd.Set("User-Agent", wooUserAgent)
		hd.Set("X-WC-Webhook-Source", home)
		hd.Set("X-WC-Webhook-Topic", topic)
		hd.Set("X-WC-Webhook-Resource", resource)
		hd.Set("X-WC-Webhook-Event", event)
		hd.Set("X-WC-Webhook-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		hd.Set("X-WC-Webhook-ID", strconv.Itoa(h.id))
		hd.Set("X-WC-Webhook-Delivery-ID", deliveryID())
		if err := s.send(req); err != nil {
			return fmt.Errorf("store: webhook %d (%s): %w", h.id, topic, err)
		}
	}
	return nil
}

// send makes a request and wants a 2xx answer.
func (s *store) send(req *http.Request) error {
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reason, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("answered %s: %s", resp.Status, bytes.TrimSpace(reason))
	}
	return nil
}

// deliveryID returns a new delivery id, 32 hex digits like WooCommerce's.
func deliveryID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
