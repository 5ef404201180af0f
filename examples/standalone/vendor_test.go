package main

// The fakes the end-to-end tests run the program against: a WooCommerce-like
// store to poll, and a callback receiver that verifies what the program
// delivers with receiver.Receiver.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	consumer "github.com/a12b7632/elementevents/receiver"
)

// wooLayout is how WooCommerce writes its *_gmt dates.
const wooLayout = "2006-01-02T15:04:05"

// wooCustomer is the part of a WooCommerce customer the tests need, with
// the fields a real one has around the ids and dates.
type wooCustomer struct {
	ID              int    `json:"id"`
	DateCreated     string `json:"date_created"`
	DateCreatedGMT  string `json:"date_created_gmt"`
	DateModified    string `json:"date_modified"`
	DateModifiedGMT string `json:"date_modified_gmt"`
	Email           string `json:"email"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	Role            string `json:"role"`
	Username        string `json:"username"`
	IsPaying        bool   `json:"is_paying_customer"`
}

// fakeStore serves GET /wp-json/wc/v3/customers as WooCommerce does: Basic
// auth with the consumer key and secret, page and per_page, X-WP-Total and
// X-WP-TotalPages, and a Date header.
type fakeStore struct {
	key, secret string

	mu        sync.Mutex
	customers []wooCustomer // by id
	served    int           // customer lists answered 200
}

func newFakeStore(t *testing.T, key, secret string) (*fakeStore, *httptest.Server) {
	s := &fakeStore{key: key, secret: secret}
	long := time.Now().Add(-48 * time.Hour)
	s.put(1, "ada@example.com", long, long.Add(time.Hour))
	s.put(2, "grace@example.com", long, long)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// put adds or replaces a customer.
func (s *fakeStore) put(id int, email string, created, modified time.Time) {
	c := wooCustomer{
		ID:              id,
		DateCreated:     created.UTC().Format(wooLayout),
		DateCreatedGMT:  created.UTC().Format(wooLayout),
		DateModified:    modified.UTC().Format(wooLayout),
		DateModifiedGMT: modified.UTC().Format(wooLayout),
		Email:           email,
		FirstName:       "First" + strconv.Itoa(id),
		LastName:        "Last" + strconv.Itoa(id),
		Role:            "customer",
		Username:        "user" + strconv.Itoa(id),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.customers, func(x wooCustomer) bool { return x.ID == id })
	if i < 0 {
		s.customers = append(s.customers, c)
		return
	}
	c.DateCreated, c.DateCreatedGMT = s.customers[i].DateCreated, s.customers[i].DateCreatedGMT
	s.customers[i] = c
}

// servedLists returns how many customer lists were answered.
func (s *fakeStore) servedLists() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served
}

func (s *fakeStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/wp-json/wc/v3/customers" {
		http.NotFound(w, r)
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != s.key || p != s.secret {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}`))
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	page, perPage = max(page, 1), min(max(perPage, 1), 100)

	s.mu.Lock()
	total := len(s.customers)
	from, to := min((page-1)*perPage, total), min(page*perPage, total)
	body, err := json.Marshal(s.customers[from:to])
	s.served++
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Set("X-WP-Total", strconv.Itoa(total))
	h.Set("X-WP-TotalPages", strconv.Itoa(max((total+perPage-1)/perPage, 1)))
	_, _ = w.Write(body)
}

// receiver is the service at the callback URL: it verifies every
// notification with receiver.Receiver and keeps it. A notification that hold
// matches is held in flight, its request unanswered, until release is
// closed, so that a test can stop the program while a delivery is in
// flight.
type receiver struct {
	hold    func(events.Notification) bool
	held    chan events.Notification
	release chan struct{}
	once    sync.Once

	mu  sync.Mutex
	got []events.Notification
}

func newReceiver(t *testing.T, key []byte, hold func(events.Notification) bool) (*receiver, *httptest.Server) {
	rc := &receiver{hold: hold, held: make(chan events.Notification, 1), release: make(chan struct{})}
	h, err := consumer.New(consumer.Config{
		Keys:   [][]byte{key},
		Handle: rc.handle,
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("POST /element-events", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(rc.releaseAll) // before srv.Close, which waits for the held request
	return rc, srv
}

func (rc *receiver) handle(ctx context.Context, n events.Notification) error {
	if rc.hold != nil && rc.hold(n) {
		rc.held <- n
		select {
		case <-rc.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, n)
	return nil
}

// releaseAll answers the held request, if any; it may be called twice.
func (rc *receiver) releaseAll() { rc.once.Do(func() { close(rc.release) }) }

// notifications returns what was received so far.
func (rc *receiver) notifications() []events.Notification {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// find returns the received notification of instanceID with an event of
// type typ for object id, if any.
func (rc *receiver) find(instanceID string, typ events.Type, objectType, id string) (events.Notification, bool) {
	for _, n := range rc.notifications() {
		if n.Message.InstanceID != instanceID {
			continue
		}
		for _, e := range n.Message.Events {
			if e.EventType == typ && e.ObjectType == objectType && e.ObjectID == id {
				return n, true
			}
		}
	}
	return events.Notification{}, false
}
