package jsonscan

import (
	"encoding/json"
	"testing"

	"github.com/a12b7632/elementevents/internal/testpages"
)

// The benchmarks read the pages the poller's and the webhook Handler's
// benchmarks read (internal/testpages), so their figures can be set side
// by side: 10,000 WooCommerce customers (a top-level array, about 12 MB),
// 10,000 Concur reports (at "Items", with a NextPage after them) and a
// 1 KiB WooCommerce order. json.Valid is there for scale.

// BenchmarkRecords validates and splits a page, as HTTPSource does with
// every page; "+next" also reads the next-page field in the same pass.
func BenchmarkRecords(b *testing.B) {
	woo, concur := testpages.WooCustomers(10_000), testpages.ConcurReports(10_000)
	next := Compile("NextPage")
	for _, bb := range []struct {
		name, path string
		page       []byte
		paths      *Paths
	}{
		{"woo", "", woo, &Paths{}},
		{"concur", "Items", concur, &Paths{}},
		{"concur+next", "Items", concur, next},
	} {
		b.Run(bb.name, func(b *testing.B) {
			vals := make([]Value, bb.paths.Len())
			b.SetBytes(int64(len(bb.page)))
			b.ReportAllocs()
			for b.Loop() {
				recs, err := bb.paths.Records(bb.page, bb.path, vals)
				if err != nil || len(recs) != 10_000 {
					b.Fatal(err, len(recs))
				}
			}
		})
	}
	b.Run("woo+find", func(b *testing.B) {
		// Records and, in the same pass, the id and dates of each: what a
		// poll cycle reads of an HTTPSource page.
		each := Compile("id", "date_modified_gmt", "date_created_gmt")
		var found []Value
		b.SetBytes(int64(len(woo)))
		b.ReportAllocs()
		for b.Loop() {
			recs, f, err := Compile().RecordsFind(woo, Path{}, nil, each, found[:0], nil)
			if err != nil || len(recs) != 10_000 || len(f) != 30_000 {
				b.Fatal(err, len(recs))
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(woo)))
		for b.Loop() {
			if !json.Valid(woo) {
				b.Fatal("invalid")
			}
		}
	})
}

// BenchmarkFind finds the id and the two dates in every record of a page,
// as the poller does after Records.
func BenchmarkFind(b *testing.B) {
	for _, bb := range []struct {
		name, recordsPath string
		page              []byte
		paths             *Paths
	}{
		{"woo", "", testpages.WooCustomers(10_000), Compile("id", "date_modified_gmt", "date_created_gmt")},
		{"concur", "Items", testpages.ConcurReports(10_000), Compile("ID", "LastModifiedDate", "CreateDate")},
	} {
		recs, err := Records(bb.page, bb.recordsPath)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bb.name, func(b *testing.B) {
			var vals [3]Value
			b.SetBytes(int64(len(bb.page)))
			b.ReportAllocs()
			for b.Loop() {
				for _, rec := range recs {
					if err := bb.paths.Find(rec, vals[:]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkWebhookBody validates a WooCommerce order and picks what an
// event needs, as the webhook Handler does with every body.
func BenchmarkWebhookBody(b *testing.B) {
	order := testpages.WooOrder()
	paths := Compile("", "id", "status", "date_modified_gmt")
	b.Run("FindValid", func(b *testing.B) {
		var vals [4]Value
		b.SetBytes(int64(len(order)))
		b.ReportAllocs()
		for b.Loop() {
			if err := paths.FindValid(order, vals[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Valid", func(b *testing.B) {
		b.SetBytes(int64(len(order)))
		b.ReportAllocs()
		for b.Loop() {
			if err := Valid(order); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(order)))
		for b.Loop() {
			if !json.Valid(order) {
				b.Fatal("invalid")
			}
		}
	})
}
