package poller

import (
	"encoding/json"
	"testing"

	"github.com/a12b7632/elementevents/internal/jsonscan"
	"github.com/a12b7632/elementevents/internal/testpages"
)

// The pages come from internal/testpages, which the benchmarks of
// internal/jsonscan read too.

func wooCustomersPage(n int) []byte  { return testpages.WooCustomers(n) }
func concurReportsPage(n int) []byte { return testpages.ConcurReports(n) }

var benchFields fields

// BenchmarkExtractPage is the figure the poller's speed is judged by: the
// splitting and extraction of a 10,000-customer WooCommerce page (id,
// date_modified_gmt, date_created_gmt, hash) against encoding/json decoding
// only those three fields.
func BenchmarkExtractPage(b *testing.B) {
	page := wooCustomersPage(10000)
	b.Run("ours", func(b *testing.B) {
		benchOurs(b, page, "", newExtractor("id", "date_modified_gmt", "date_created_gmt"))
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
			if err := json.Unmarshal(page, &recs); err != nil || len(recs) != 10000 {
				b.Fatal(err, len(recs))
			}
		}
	})
}

// BenchmarkExtractConcurPage is the same comparison on a Concur-shaped
// page: records at "Items", string IDs.
func BenchmarkExtractConcurPage(b *testing.B) {
	page := concurReportsPage(10000)
	b.Run("ours", func(b *testing.B) {
		benchOurs(b, page, "Items", newExtractor("ID", "LastModifiedDate", "CreateDate"))
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			var p struct {
				Items []struct {
					ID               string
					CreateDate       string
					LastModifiedDate string
				}
			}
			if err := json.Unmarshal(page, &p); err != nil || len(p.Items) != 10000 {
				b.Fatal(err, len(p.Items))
			}
		}
	})
}

func benchOurs(b *testing.B, page []byte, path string, x *extractor) {
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		recs, err := splitRecords(page, path)
		if err != nil || len(recs) != 10000 {
			b.Fatal(err, len(recs))
		}
		for _, rec := range recs {
			if benchFields, err = x.extract(rec); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExtractParts splits the "ours" figure into its passes: split
// (validate the page), walk (find the fields), hash, and extract (walk,
// hash and the one allocation for the strings); json.Valid is there for
// scale.
func BenchmarkExtractParts(b *testing.B) {
	page := wooCustomersPage(10000)
	recs, err := splitRecords(page, "")
	if err != nil {
		b.Fatal(err)
	}
	x := newExtractor("id", "date_modified_gmt", "date_created_gmt")
	b.Run("split", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := splitRecords(page, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		// For scale: what validating with encoding/json alone would cost,
		// before splitting anything.
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			if !json.Valid(page) {
				b.Fatal("invalid page")
			}
		}
	})
	b.Run("walk", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			var vals [numFields]jsonscan.Value
			for _, rec := range recs {
				if err := x.paths.Find(rec, vals[:]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("extract", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			for _, rec := range recs {
				if benchFields, err = x.extract(rec); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("hash", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			for _, rec := range recs {
				benchFields.Hash ^= recordHash(rec)
			}
		}
	})
}
