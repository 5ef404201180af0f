package poller

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/jsonscan"
)

// pageSource serves one fixed page, read as HTTPSource reads it, with the
// page reader and the id and date paths of the bench instance compiled
// once, as HTTPSource compiles them.
type pageSource struct{ body []byte }

var (
	pageSourceReader = newPageReader(element.Pagination{})
	pageSourceFields = newExtractor("id", "date_modified_gmt", "date_created_gmt")
)

func (s pageSource) Fetch(context.Context, Request) (*Page, error) {
	return readSourcePage(s.body, nil)
}

// readSourcePage reads body as HTTPSource reads a page, into the memory
// of a page the poller gave back; buf, when not nil, holds body.
func readSourcePage(body []byte, buf *pageBuf) (*Page, error) {
	if buf == nil {
		buf = newPageBuf()
	}
	pb, err := pageSourceReader.read(body, jsonscan.Path{}, pageSourceFields, buf)
	if err != nil {
		buf.release()
		return nil, err
	}
	p := buf.newPage(pb, pageSourceFields)
	p.Total, p.TotalPages = len(pb.records), 1
	return p, nil
}

func benchInstance(b testing.TB) *element.Instance {
	inst, err := element.Parse([]byte(`{"id": "bench", "element": {"key": "woocommercerest"},
	  "configuration": {"store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs",
	    "event.notification.enabled": true, "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/cb",
	    "event.poller.configuration": {"customers": {"url": "/hubs/ecommerce/customers", "idField": "id",
	      "datesConfiguration": {"updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	        "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}}}`))
	if err != nil {
		b.Fatal(err)
	}
	return inst
}

// BenchmarkPollCycle measures one poll cycle of a 10,000-customer
// WooCommerce page (split, extract, parse dates, classify, diff against
// remembered state, commit, hand-off to a no-op sink) against a bare
// json.Unmarshal of the same bytes into a struct with only the id and the
// two dates. The steady cycle finds nothing changed; the first-seen cycle
// finds every record new and reports it. alloc-B/record is B/op per
// record of the page.
func BenchmarkPollCycle(b *testing.B) {
	page := wooCustomersPage(10_000)
	noop := events.SinkFunc(func(context.Context, events.Batch) error { return nil })
	newPoller := func(b *testing.B, first FirstRun) *Poller {
		p, err := New(Config{Instance: benchInstance(b), Source: pageSource{page}, Sink: noop,
			Clock: clockwork.NewFakeClock(), FirstRun: first})
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	ctx := context.Background()

	b.Run("cycle/steady", func(b *testing.B) {
		p := newPoller(b, Baseline)
		p.Poll(ctx) // the baseline
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for b.Loop() {
			if res := p.Poll(ctx); res[0].Err != nil || len(res[0].Events) != 0 {
				b.Fatal(res[0].Err, res[0].Events)
			}
		}
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/10_000, "alloc-B/record")
	})
	b.Run("cycle/first-seen", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			p := newPoller(b, EmitAll)
			b.StartTimer()
			if res := p.Poll(ctx); res[0].Err != nil || res[0].Records != 10_000 {
				b.Fatal(res[0].Err)
			}
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			var recs []struct {
				ID              int64  `json:"id"`
				DateCreatedGMT  string `json:"date_created_gmt"`
				DateModifiedGMT string `json:"date_modified_gmt"`
			}
			if err := json.Unmarshal(page, &recs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStateBytesPerRecord reports the heap that remembered state
// takes per record at 1,000,000 records, for numeric ids (WooCommerce) and
// for 20-character string ids (Concur).
func BenchmarkStateBytesPerRecord(b *testing.B) {
	const n = 1_000_000
	for _, kind := range []struct {
		name string
		id   func(i int) string
	}{
		{"numeric-ids", func(i int) string { return strconv.Itoa(10_000_000 + i) }},
		{"string-ids", func(i int) string { return fmt.Sprintf("gWqNRE$p%012d", i) }},
	} {
		b.Run(kind.name, func(b *testing.B) {
			for b.Loop() {
				c := Change{Upsert: make(map[string]Record, 1024)}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				st := &ResourceState{}
				for i := range n {
					c.Upsert[kind.id(i)] = Record{Updated: int64(i), Hash: uint64(i)}
					if len(c.Upsert) == 1024 {
						c.Apply(st)
						clear(c.Upsert)
					}
				}
				c.Apply(st)
				clear(c.Upsert)
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/record")
				runtime.KeepAlive(st)
			}
		})
	}
}
