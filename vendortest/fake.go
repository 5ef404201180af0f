package vendortest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jonboulle/clockwork"
)

// Fake is what every fake vendor has, and [WooCommerce] and [Concur]
// embed: the URL it is served at, the [RequestLog] of the requests it saw,
// the [Fault]s it is told to answer with, and a Close that ends held
// requests. Its methods are safe for concurrent use.
type Fake struct {
	clock     clockwork.Clock
	log       RequestLog
	faults    faults
	closed    chan struct{}
	closeOnce sync.Once
	onClose   func() // also run by Close, once; nil for none

	mu  sync.Mutex
	url string // without a trailing slash
}

// init sets up an embedded Fake: its clock (nil means the real one), the
// URL it names until told its own, and what else Close does.
func (f *Fake) init(clock clockwork.Clock, url string, onClose func()) {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	f.clock, f.url, f.onClose = clock, url, onClose
	f.closed = make(chan struct{})
}

// SetURL tells the fake where it is served (http://127.0.0.1:PORT, or
// with a path when it is mounted under one): the URLs it writes name it,
// a WooCommerce store's _links and X-WC-Webhook-Source, Concur's URIs and
// NextPage. Until then a WooCommerce store is https://store.example.com
// and Concur its US data center.
func (f *Fake) SetURL(u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.url = strings.TrimSuffix(u, "/")
}

// URL returns the fake's URL, without a trailing slash: the value of an
// instance's store.url (WooCommerce) or concur.base.url (Concur).
func (f *Fake) URL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.url
}

// Log returns the fake's request log.
func (f *Fake) Log() *RequestLog { return &f.log }

// Inject adds faults; see [Fault] for which requests each answers.
// Concur's page is the offset's page: offset/limit+1.
func (f *Fake) Inject(faults ...Fault) { f.faults.inject(faults...) }

// TakeFaults returns the faults not used up yet, with the Times each has
// left, and drops them: call it to stop faults that answer every request,
// or to check that a test was served every fault it planned. A fault that
// answers every request is never used up.
func (f *Fake) TakeFaults() []Fault { return f.faults.take() }

// Close ends the requests a Hang fault holds unanswered and cuts Delay
// faults short; a WooCommerce store also closes the idle connections of
// the webhook client it made. The fake still serves afterwards, without
// holding requests.
func (f *Fake) Close() {
	f.closeOnce.Do(func() {
		close(f.closed)
		if f.onClose != nil {
			f.onClose()
		}
	})
}

// start serves h, the fake that embeds f, on an [httptest.Server] for the
// rest of the test and tells f its URL.
func (f *Fake) start(t testing.TB, h http.Handler) {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(f.Close) // first: hanging requests end before srv.Close waits for them
	f.SetURL(srv.URL)
}
