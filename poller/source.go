package poller

import (
	"context"
	"encoding/json"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/jsonscan"
)

// Source fetches pages of records of a polled resource. The poller asks for
// the first page with an empty Token and follows Page.Next until it is
// empty.
//
// Implementations must be safe for concurrent use. Fetch returns an error
// wrapping [ErrUnauthorized] when the vendor refuses the credentials,
// [ErrMalformedPage] when a page cannot be read, [ErrVendor] when the vendor
// kept failing, [ErrConfig] when the request cannot be built, and the
// context's error when ctx ends first.
type Source interface {
	Fetch(ctx context.Context, req Request) (*Page, error)
}

// Request asks a [Source] for one page of a resource.
type Request struct {
	// Resource is the resource (object) name, e.g. "customers". It names the
	// resource in errors.
	Resource string

	// Config is the resource's configuration: its URL, page size and
	// records path.
	Config element.Resource

	// Since is the start of the poll window: the ${...} placeholders of
	// Config.URL are expanded for it. Pass the same Since for every page of
	// one poll, since page and offset tokens are applied to the URL it
	// gives.
	Since time.Time

	// Token is "" for the first page and the previous Page.Next otherwise.
	Token string
}

// Page is one page of records.
type Page struct {
	// Records are the records of the page, each a sub-slice of the
	// response body.
	//
	// HTTPSource reads a later page into the memory of a page the poller
	// is done with (unless an event holds one of its records), so a
	// Source that wraps HTTPSource and keeps records after handing the
	// page to the poller must copy them. A page that HTTPSource.Fetch
	// returns to any other caller is never reused.
	Records []json.RawMessage

	// Next is the token for the next page, "" on the last page. It is
	// opaque to callers and holds no credentials. A token already fetched
	// in the same walk is a loop: the poller stops with [ErrPageLoop].
	Next string

	// Total is the number of records the vendor says match the query
	// across all pages, or -1 when it does not say.
	Total int

	// TotalPages is the number of pages the vendor says there are, or -1
	// when it does not say.
	TotalPages int

	// Date is the vendor's Date header, zero if absent or unparseable. It
	// lets the poller move its window on the vendor's clock, not its own.
	Date time.Time

	// URL is the URL fetched, with credentials removed: no user info, and
	// secret query parameters redacted.
	URL string

	// scanned is what HTTPSource found in the records as it split the
	// page; nil from other sources.
	scanned *scanned

	// buf, when not nil, is the memory the page was read into, which the
	// poller gives back (see release) once it is done with the page.
	buf *pageBuf
}

// release gives the memory of p back for a later page, when p has memory
// of its own to give (HTTPSource's pages). The caller must not use p or
// its records afterwards.
func (p *Page) release() {
	if p.buf != nil {
		p.buf.release()
	}
}

// scanned holds the values at the id and date paths of each record of a
// page, found in the pass that split it, which spares the cycle a second
// walk over every record.
type scanned struct {
	paths   [numFields]string // the paths looked up
	records [][]byte          // the records as split, which the values are in
	values  []jsonscan.Value  // numFields a record, offsets within the record
}

// foundIn returns the values found at the paths of x in record i of the
// page, or nil when the source did not find them for these paths in these
// very records (a Source wrapping HTTPSource may have changed them).
func (p *Page) foundIn(i int, x *extractor) *[numFields]jsonscan.Value {
	s := p.scanned
	if s == nil || s.paths != x.full || len(s.records) != len(p.Records) || len(s.values) != numFields*len(s.records) {
		return nil
	}
	if rec, was := p.Records[i], s.records[i]; len(rec) != len(was) || len(rec) == 0 || &rec[0] != &was[0] {
		return nil
	}
	return (*[numFields]jsonscan.Value)(s.values[i*numFields:])
}
