package vendortest

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// A Fault makes a fake misbehave on the requests it matches: the first
// pending fault (see [Fake.Inject]) whose Resource and Page match a
// request answers it, and is used up after Times requests.
//
// A fault does, in order: wait Delay; then Hang, or answer Status; or else
// serve the page, changed by Empty, Overlap, NoTotals, Truncate or Cut.
type Fault struct {
	// Resource is the resource it matches ("customers", "orders",
	// "reports"); "" matches every resource.
	Resource string
	// Page is the page it matches, from 1; 0 matches every page.
	Page int
	// Times is how many matching requests it answers: 0 means one, a
	// negative number every one.
	Times int

	// Delay waits this long on the fake's clock before answering, as a
	// slow vendor does. It ends early if the client gives up.
	Delay time.Duration
	// Hang answers nothing until the client gives up (its context ends)
	// or the fake is closed.
	Hang bool
	// Status answers this status with the vendor's error body, instead of
	// the page.
	Status int
	// RetryAfter, with Status, is sent as the Retry-After header.
	RetryAfter string
	// Empty serves a page with no records, its headers as usual.
	Empty bool
	// Overlap serves the last record of the page before again at the top
	// of the page, as when a record is inserted ahead of a client paging
	// through a list. It has no effect on the first page.
	Overlap bool
	// NoTotals leaves out WooCommerce's X-WP-Total and X-WP-TotalPages.
	NoTotals bool
	// Truncate serves the JSON cut a third short, with a Content-Length
	// that matches: a malformed page.
	Truncate bool
	// Cut announces the whole body's Content-Length, sends half of it
	// and closes the connection.
	Cut bool
	// HTML answers 200 with an HTML page (a login or maintenance page)
	// instead of JSON. Concur's token endpoint only.
	HTML bool
}

// faults holds a fake's pending faults. The zero value is ready to use.
type faults struct {
	mu      sync.Mutex
	pending []*Fault
}

func (fs *faults) inject(f ...Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, x := range f {
		fs.pending = append(fs.pending, &x)
	}
}

// take returns the pending faults, each with the Times it has left, and
// drops them.
func (fs *faults) take() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, len(fs.pending))
	for i, f := range fs.pending {
		out[i] = *f
	}
	fs.pending = nil
	return out
}

// match returns a copy of the fault that answers a request for page of
// resource, and uses it, or nil if none matches.
func (fs *faults) match(resource string, page int) *Fault { return fs.matchOf(resource, page, false) }

// matchOf is match; named matches only faults that name the resource,
// for an endpoint that faults meant for every list must not reach.
func (fs *faults) matchOf(resource string, page int, named bool) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.pending {
		if (f.Resource != "" && f.Resource != resource) || (named && f.Resource == "") || (f.Page != 0 && f.Page != page) {
			continue
		}
		used := *f
		switch {
		case f.Times < 0:
		case f.Times <= 1:
			fs.pending = slices.Delete(fs.pending, i, i+1)
		default:
			f.Times--
		}
		return &used
	}
	return nil
}

// writeBody answers a page: 200 with body, or what f changes of it
// (Truncate, Cut).
func writeBody(w http.ResponseWriter, body []byte, f *Fault) {
	switch {
	case f != nil && f.Truncate:
		body = body[:len(body)*2/3]
	case f != nil && f.Cut:
		// The server closes the connection short of Content-Length.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		body = body[:len(body)/2]
	}
	_, _ = w.Write(body)
}

// holdFor applies f's Delay and Hang to r, each cut short when closed is
// closed. It returns false if r is not to be answered: the client gave up,
// or a Hang ended.
func holdFor(clock clockwork.Clock, closed <-chan struct{}, r *http.Request, f *Fault) bool {
	if f == nil {
		return true
	}
	if f.Delay > 0 {
		select {
		case <-clock.After(f.Delay):
		case <-closed: // cut short: the fake is closing
		case <-r.Context().Done():
			return false
		}
	}
	if f.Hang {
		select {
		case <-r.Context().Done():
		case <-closed:
		}
		return false
	}
	return true
}
