package urltemplate_test

import (
	"testing"
	"time"

	"github.com/a12b7632/elementevents/internal/urltemplate"
)

// benchSink keeps expanded URLs alive so that the compiler cannot drop
// the work.
var benchSink string

func BenchmarkExpand(b *testing.B) {
	tmpl, err := urltemplate.Compile("/hubs/ecommerce/customers?where=date_modified_gmt>='${gmtDate:yyyy-MM-dd'T'HH:mm:ss}'", nil)
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 13, 45, 7, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		benchSink = tmpl.Expand(at)
	}
}
