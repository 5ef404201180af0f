package element_test

import (
	"encoding/json"
	"testing"

	"github.com/a12b7632/elementevents/element"
)

// BenchmarkParse measures element.Parse of the documented polling body,
// which reads, types, defaults and checks it and finds its warnings,
// against a bare json.Unmarshal of the same bytes into a map, so the cost
// can be read as a ratio.
func BenchmarkParse(b *testing.B) {
	data := readTestdata(b, "woocommerce_polling_fixed.json")
	b.Run("element.Parse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := element.Parse(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Unmarshal/map", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var v map[string]any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
