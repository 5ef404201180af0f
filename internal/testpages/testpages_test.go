package testpages

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestPages(t *testing.T) {
	t.Parallel()
	for name, page := range map[string]func(int) []byte{"WooCustomers": WooCustomers, "ConcurReports": ConcurReports} {
		p := page(50)
		if !json.Valid(p) {
			t.Fatalf("%s: not JSON", name)
		}
		if !bytes.Equal(p, page(50)) {
			t.Fatalf("%s: not the same bytes twice", name)
		}
	}
	var recs []map[string]any
	if err := json.Unmarshal(WooCustomers(3), &recs); err != nil || len(recs) != 3 {
		t.Fatalf("WooCustomers(3): %d records, %v", len(recs), err)
	}
	var concur struct{ Items []map[string]any }
	if err := json.Unmarshal(ConcurReports(3), &concur); err != nil || len(concur.Items) != 3 {
		t.Fatalf("ConcurReports(3): %d records, %v", len(concur.Items), err)
	}
	o := WooOrder()
	if !json.Valid(o) {
		t.Fatal("WooOrder: not JSON")
	}
	o[0] = 'x'
	if WooOrder()[0] != '{' {
		t.Fatal("WooOrder shares its bytes")
	}
}
