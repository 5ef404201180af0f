package poller

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
)

// scalePageSize is the records per page of BenchmarkPollScale:
// WooCommerce's largest per_page, which its definition caps at.
const scalePageSize = 100

// scaleSizes are the resource sizes of BenchmarkPollScale.
var scaleSizes = []int{1_000, 10_000, 100_000, 1_000_000}

// pagedSource serves a resource of n WooCommerce customers in pages of
// scalePageSize, as the vendor would, without holding the whole resource
// in memory: every page is the same generated page with its ids rewritten
// (1000 + the record's index in the resource), written into the memory of
// a page the poller gave back and read from there, as HTTPSource reads a
// body.
type pagedSource struct {
	n        int
	template []byte
	// idAt holds, per template record, the offsets of its id digits.
	idAt [][2]int
}

func newPagedSource(tb testing.TB, n int) *pagedSource {
	tb.Helper()
	page := wooCustomersPage(scalePageSize)
	recs, err := splitRecords(page, "")
	if err != nil || len(recs) != scalePageSize {
		tb.Fatalf("template page: %d records, %v", len(recs), err)
	}
	s := &pagedSource{n: n, template: page}
	prefix := []byte(`{"id":`)
	pos := 0
	for _, rec := range recs {
		at := bytes.Index(page[pos:], rec)
		if at < 0 || !bytes.HasPrefix(rec, prefix) {
			tb.Fatalf("template record not found or not starting with its id: %.40s", rec)
		}
		start := pos + at + len(prefix)
		end := start + bytes.IndexByte(page[start:], ',')
		s.idAt = append(s.idAt, [2]int{start, end})
		pos += at + len(rec)
	}
	return s
}

func (s *pagedSource) pages() int { return (s.n + scalePageSize - 1) / scalePageSize }

// Fetch returns page Token (the first for "") of the resource.
func (s *pagedSource) Fetch(_ context.Context, req Request) (*Page, error) {
	k := 0
	if req.Token != "" {
		var err error
		if k, err = strconv.Atoi(req.Token); err != nil || k < 0 || k >= s.pages() {
			return nil, fmt.Errorf("%w: bad page token %q", ErrMalformedPage, req.Token)
		}
	}
	count := min(scalePageSize, s.n-k*scalePageSize)
	buf := newPageBuf()
	body := buf.body[:0]
	prev := 0
	for i, at := range s.idAt[:count] {
		body = append(body, s.template[prev:at[0]]...)
		body = strconv.AppendInt(body, int64(1000+k*scalePageSize+i), 10)
		prev = at[1]
	}
	if count < scalePageSize {
		// Close the array after the last record kept.
		body = append(body, s.template[prev:s.idAt[count][0]-len(`{"id":`)-1]...)
		body = append(body, ']')
	} else {
		body = append(body, s.template[prev:]...)
	}
	buf.body = body
	p, err := readSourcePage(body, buf)
	if err != nil {
		return nil, err
	}
	p.Total, p.TotalPages = s.n, s.pages()
	if k+1 < s.pages() {
		p.Next = strconv.Itoa(k + 1)
	}
	return p, nil
}

// BenchmarkPollScale measures a steady poll cycle (every record fetched,
// nothing changed, a complete snapshot) of a WooCommerce customers resource
// of 1k, 10k, 100k and 1M records served 100 to a page, to show that time
// and memory grow linearly with the records. ns/op and B/op are per cycle
// (B/op includes the page bodies the source hands over); ns/record is
// the time per record; alloc-B/record is B/op per record, the garbage a
// steady cycle makes for each unchanged record; state-B/record is the
// heap the poller keeps between cycles per record (its own state and the
// default in-memory State's copy), measured after the baseline cycle.
func BenchmarkPollScale(b *testing.B) {
	noop := events.SinkFunc(func(context.Context, events.Batch) error { return nil })
	ctx := context.Background()
	for _, n := range scaleSizes {
		b.Run("records="+strconv.Itoa(n), func(b *testing.B) {
			src := newPagedSource(b, n)
			inst := benchInstance(b)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			// A million records is 10,000 pages: past the default page
			// cap, which a resource that large raises.
			p, err := New(Config{Instance: inst, Source: src, Sink: noop,
				Clock: clockwork.NewFakeClock(), FirstRun: Baseline, MaxPages: n/100 + 1})
			if err != nil {
				b.Fatal(err)
			}
			if res := p.Poll(ctx); res[0].Err != nil || res[0].Records != n {
				b.Fatalf("baseline: %v, %d records", res[0].Err, res[0].Records)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			stateBytes := float64(after.HeapAlloc) - float64(before.HeapAlloc)

			b.ReportAllocs()
			runtime.ReadMemStats(&before)
			for b.Loop() {
				res := p.Poll(ctx)
				if res[0].Err != nil || res[0].Records != n || res[0].Pages != src.pages() || len(res[0].Events) != 0 {
					b.Fatalf("cycle: %v, %d records, %d pages, events %v", res[0].Err, res[0].Records, res[0].Pages, res[0].Events)
				}
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/record")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(n), "alloc-B/record")
			b.ReportMetric(stateBytes/float64(n), "state-B/record")
			runtime.KeepAlive(p)
		})
	}
}

// TestPagedSource checks that the scale benchmark's source serves every
// record once, with distinct ids, in the pages it announces.
func TestPagedSource(t *testing.T) {
	for _, n := range []int{1, 99, 100, 250} {
		s := newPagedSource(t, n)
		seen := map[string]bool{}
		token, pages := "", 0
		for {
			p, err := s.Fetch(context.Background(), Request{Token: token})
			if err != nil {
				t.Fatalf("n=%d page %q: %v", n, token, err)
			}
			pages++
			for _, rec := range p.Records {
				var r struct {
					ID int64 `json:"id"`
				}
				if err := json.Unmarshal(rec, &r); err != nil {
					t.Fatalf("n=%d: %v in %.60s", n, err, rec)
				}
				id := strconv.FormatInt(r.ID, 10)
				if seen[id] {
					t.Fatalf("n=%d: id %s twice", n, id)
				}
				seen[id] = true
			}
			if p.Total != n || p.TotalPages != s.pages() {
				t.Fatalf("n=%d: Total %d TotalPages %d", n, p.Total, p.TotalPages)
			}
			if p.Next == "" {
				break
			}
			token = p.Next
		}
		if len(seen) != n || pages != s.pages() {
			t.Fatalf("n=%d: %d records in %d pages, want %d in %d", n, len(seen), pages, n, s.pages())
		}
	}
	if _, err := newPagedSource(t, 10).Fetch(context.Background(), Request{Token: "x"}); err == nil {
		t.Fatal("bad token: no error")
	}
}
