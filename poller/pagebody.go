package poller

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/jsonscan"
	"github.com/a12b7632/elementevents/internal/vocab"
)

// malformedAt reports a bad page or record at byte offset off. It is only
// called on the error path, so the fmt allocation does not matter.
func malformedAt(off int, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrMalformedPage, off, fmt.Sprintf(format, args...))
}

// malformed wraps an error of package jsonscan, whose text gives the
// offset, in ErrMalformedPage.
func malformed(err error) error {
	return fmt.Errorf("%w: %w", ErrMalformedPage, err)
}

// splitRecords returns the elements of the JSON array found at the dotted
// path in body ("" = body is the array; "Items"; "data.items"), each as a
// sub-slice of body, validating the whole body in the same pass (see
// [jsonscan.Records]). Errors wrap [ErrMalformedPage] and give the byte
// offset: body not JSON, path missing, value at path not an array, an
// element not an object, trailing garbage.
func splitRecords(body []byte, path string) ([][]byte, error) {
	recs, err := jsonscan.Records(body, path)
	if err != nil {
		return nil, malformed(err)
	}
	return recs, nil
}

// The page fields a pageReader reads, in the order of its paths.
const (
	pageNext = iota
	pageTotal
	numPageFields
)

// pageReader reads a page body: its records, and the fields the
// definition's pagination names (the next page's URL, the total), all in
// one pass. It is compiled once per source.
type pageReader struct {
	fields *jsonscan.Paths
}

// newPageReader compiles the page fields of p, whose defaults are filled.
func newPageReader(p element.Pagination) pageReader {
	var paths [numPageFields]string
	if p.Style == vocab.PaginationNextURL {
		paths[pageNext] = p.NextField
	}
	paths[pageTotal] = p.TotalField
	return pageReader{fields: jsonscan.Compile(paths[:]...)}
}

// pageBody is a page body as a pageReader read it.
type pageBody struct {
	bytes   []byte
	records [][]byte
	fields  [numPageFields]jsonscan.Value
	// found holds the values at the id and date paths in each record,
	// numFields a record, with offsets within the record.
	found []jsonscan.Value
}

// scanned returns what the read found in the records, for a Page, as
// found at the paths of x.
func (pb pageBody) scanned(x *extractor) *scanned {
	return &scanned{paths: x.full, records: pb.records, values: pb.found}
}

// read validates body and returns its records (at recordsPath) and page
// fields and, found in the same pass, the values at the id and date paths
// of x in each record, which spares the poll cycle a second walk over
// every record. Errors wrap [ErrMalformedPage], as splitRecords' do.
//
// With buf, the records and values are written into its memory, and buf
// must hold body until the page is released.
func (r pageReader) read(body []byte, recordsPath jsonscan.Path, x *extractor, buf *pageBuf) (pageBody, error) {
	pb := pageBody{bytes: body}
	var recs [][]byte
	var found []jsonscan.Value
	if buf != nil {
		recs, found = buf.recs, buf.found[:0]
	}
	recs, found, err := r.fields.RecordsFind(body, recordsPath, pb.fields[:], x.paths, found, recs)
	if err != nil {
		return pageBody{}, malformed(err)
	}
	pb.records, pb.found = recs, found
	if buf != nil {
		buf.recs, buf.found = recs, found
	}
	return pb, nil
}

// pageBuf is the memory of one page: its body and what reading it made,
// the Page included. A source takes one from pageBufs for each page and
// the poller puts it back once it is done with the page, so that a steady
// poll cycle reads page after page into the same memory instead of
// allocating about a page body per page. Its body is bounded as the body
// read into it (HTTPConfig.MaxPageBytes).
type pageBuf struct {
	body    []byte
	recs    [][]byte
	found   []jsonscan.Value
	records []json.RawMessage
	page    Page
	scanned scanned
}

// pageBufs holds the pageBufs of pages the poller is done with.
var pageBufs = sync.Pool{New: func() any { return new(pageBuf) }}

// newPageBuf returns a pageBuf from pageBufs.
func newPageBuf() *pageBuf { return pageBufs.Get().(*pageBuf) }

// newPage returns the Page of pb, read into buf: its records are those of
// pb, and it gives buf back to pageBufs when released.
func (buf *pageBuf) newPage(pb pageBody, x *extractor) *Page {
	buf.records = slices.Grow(buf.records[:0], len(pb.records))[:len(pb.records)]
	for i, r := range pb.records {
		buf.records[i] = r // same bytes: RawMessage is a []byte
	}
	buf.scanned = scanned{paths: x.full, records: pb.records, values: pb.found}
	buf.page = Page{Records: buf.records, scanned: &buf.scanned, buf: buf}
	return &buf.page
}

// release gives buf back to pageBufs. Nothing may use its page, body or
// records afterwards.
func (buf *pageBuf) release() {
	// Drop what points into the body, so that the pool holds no more than
	// the memory itself.
	clear(buf.recs)
	clear(buf.records)
	buf.page, buf.scanned = Page{}, scanned{}
	pageBufs.Put(buf)
}

// totals reads the totals the vendor gives: Total from TotalHeader or
// TotalField, TotalPages from TotalPagesHeader; -1 when not given.
func (s *HTTPSource) totals(h http.Header, pb pageBody) (total, pages int) {
	total, pages = -1, -1
	p := s.pag
	if p.TotalHeader != "" {
		total = headerInt(h, p.TotalHeader)
	}
	if total < 0 && p.TotalField != "" {
		// Some vendors write counts as strings.
		text, _ := pb.fields[pageTotal].Text(pb.bytes)
		if n, err := strconv.Atoi(text); err == nil && n >= 0 {
			total = n
		}
	}
	if p.TotalPagesHeader != "" {
		pages = headerInt(h, p.TotalPagesHeader)
	}
	return total, pages
}

// headerInt returns the non-negative integer in header name, or -1.
func headerInt(h http.Header, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get(name)))
	if err != nil || n < 0 {
		return -1
	}
	return n
}
