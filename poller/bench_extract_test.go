package poller

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// The pages below are generated deterministically (fixed PCG seed) so every
// run and every machine measures the same bytes.

var (
	benchFirstNames = []string{"John", "Maria", "Wei", "Aïsha", "Søren", "Fatima", "Liam", "Olivia", "Noah", "Chloé", "Mateo", "Yuki"}
	benchLastNames  = []string{"Doe", "García", "Chen", "O'Brien", "Müller", "Nguyen", "Smith", "Kowalski", "Rossi", "Dubois", `"Ace" Jones`, "Okafor"}
	benchCities     = []string{"San Francisco", "Austin", "Berlin", "São Paulo", "Lyon", "Toronto", "Seattle", "Dublin"}
	benchStreets    = []string{"Market St", "Main St", "Elm Ave", "Königstraße", "Rue de la Paix", "Queen St W", "Pike St"}
	benchStates     = []string{"CA", "TX", "BE", "SP", "ARA", "ON", "WA", "D"}
)

// benchWPString writes s as WordPress's wp_json_encode does by default (PHP
// json_encode without flags): slashes escaped as \/ and every non-ASCII
// rune as \uXXXX, which is where real WooCommerce pages get their escapes.
func benchWPString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '/':
			buf.WriteByte('\\')
			buf.WriteRune(r)
		case r < 0x20 || r >= 0x80:
			fmt.Fprintf(buf, `\u%04x`, r)
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}

func benchPick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }

// wooCustomersPage returns a GET /wp-json/wc/v3/customers page of n
// customers with WooCommerce's field set, about 1 KiB each.
func wooCustomersPage(n int) []byte {
	rng := rand.New(rand.NewPCG(42, 7))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	buf.Grow(n * 1200)
	buf.WriteByte('[')
	str := func(key, val string) {
		buf.WriteString(`"` + key + `":`)
		benchWPString(&buf, val)
		buf.WriteByte(',')
	}
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		id := 1000 + i
		created := base.Add(time.Duration(rng.IntN(300*24*3600)) * time.Second)
		modified := created.Add(time.Duration(rng.IntN(30*24*3600)) * time.Second)
		const local = "2006-01-02T15:04:05"
		first, last := benchPick(rng, benchFirstNames), benchPick(rng, benchLastNames)
		email := fmt.Sprintf("customer%d@example.com", id)
		address := fmt.Sprintf("%d %s", 1+rng.IntN(9999), benchPick(rng, benchStreets))
		city, state := benchPick(rng, benchCities), benchPick(rng, benchStates)
		postcode := strconv.Itoa(10000 + rng.IntN(89999))
		phone := fmt.Sprintf("(555) %03d-%04d", rng.IntN(1000), rng.IntN(10000))

		buf.WriteString(`{"id":` + strconv.Itoa(id) + `,`)
		str("date_created", created.Add(-3*time.Hour).Format(local))
		str("date_created_gmt", created.Format(local))
		str("date_modified", modified.Add(-3*time.Hour).Format(local))
		str("date_modified_gmt", modified.Format(local))
		str("email", email)
		str("first_name", first)
		str("last_name", last)
		str("role", "customer")
		str("username", fmt.Sprintf("customer%d", id))
		for _, part := range []string{"billing", "shipping"} {
			buf.WriteString(`"` + part + `":{`)
			str("first_name", first)
			str("last_name", last)
			str("company", "")
			str("address_1", address)
			str("address_2", "")
			str("city", city)
			str("postcode", postcode)
			str("country", "US")
			str("state", state)
			if part == "billing" {
				str("email", email)
			}
			buf.WriteString(`"phone":`)
			benchWPString(&buf, phone)
			buf.WriteString(`},`)
		}
		buf.WriteString(`"is_paying_customer":` + strconv.FormatBool(rng.IntN(2) == 0) + `,`)
		str("avatar_url", fmt.Sprintf("https://secure.gravatar.com/avatar/%016x%016x?s=96&d=mm&r=g", rng.Uint64(), rng.Uint64()))
		buf.WriteString(`"meta_data":[{"id":` + strconv.Itoa(5000+2*i) + `,"key":"_last_update","value":"` +
			strconv.FormatInt(modified.Unix(), 10) + `"},{"id":` + strconv.Itoa(5001+2*i) +
			`,"key":"wc_last_active","value":"` + strconv.FormatInt(modified.Unix()/86400*86400, 10) + `"}],`)
		buf.WriteString(`"_links":{"self":[{"href":`)
		benchWPString(&buf, fmt.Sprintf("https://shop.example.com/wp-json/wc/v3/customers/%d", id))
		buf.WriteString(`}],"collection":[{"href":`)
		benchWPString(&buf, "https://shop.example.com/wp-json/wc/v3/customers")
		buf.WriteString(`}]}}`)
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// concurReportsPage returns a Concur expense reports page of n reports:
// records at "Items", string IDs near the end of each record, and the
// NextPage link after the array.
func concurReportsPage(n int) []byte {
	rng := rand.New(rand.NewPCG(7, 42))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const layout = "2006-01-02T15:04:05.00"
	var buf bytes.Buffer
	buf.Grow(n * 1400)
	buf.WriteString(`{"Items":[`)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		id := fmt.Sprintf("gWq%016X$p%08x", rng.Uint64(), rng.Uint32())
		created := base.Add(time.Duration(rng.IntN(300*24*3600*100)) * 10 * time.Millisecond)
		modified := created.Add(time.Duration(rng.IntN(30*24*3600*100)) * 10 * time.Millisecond)
		total := float64(rng.IntN(1000000)) / 100
		owner := benchPick(rng, benchFirstNames) + " " + benchPick(rng, benchLastNames)
		fmt.Fprintf(&buf, `{"Name":"Trip %d to %s","Total":%.2f,"CurrencyCode":"USD","Country":"US","CountrySubdivision":"US-WA",`+
			`"CreateDate":"%s","SubmitDate":"%s","ProcessingPaymentDate":null,"PaidDate":null,"UserDefinedDate":"%s",`+
			`"LastComment":"Receipts attached, see \"hotel\" line","OwnerLoginID":"user%d@example.com","OwnerName":%q,`+
			`"ApproverLoginID":"manager%d@example.com","ApproverName":"Pat Manager","ApprovalStatusName":"Approved",`+
			`"ApprovalStatusCode":"A_APPR","PaymentStatusName":"Not Paid","PaymentStatusCode":"P_NOTP",`+
			`"LastModifiedDate":"%s","PersonalAmount":0,"AmountDueEmployee":%.2f,"AmountDueCompanyCard":0,`+
			`"TotalClaimedAmount":%.2f,"TotalApprovedAmount":%.2f,"LedgerName":"DEFAULT","PolicyID":"gWqPolicy%04d",`+
			`"EverSentBack":false,"HasException":%t,"WorkflowActionURL":"https://www.concursolutions.com/api/v3.0/expense/workflowaction/%s",`+
			`"ID":%q,"URI":"https://www.concursolutions.com/api/v3.0/expense/reports/%s"}`,
			i, benchPick(rng, benchCities), total, created.Format(layout), modified.Format(layout), created.Format("2006-01-02T00:00:00"),
			i%500, owner, i%50, modified.Format(layout), total, total, total, rng.IntN(100),
			rng.IntN(3) == 0, id, id, id)
	}
	buf.WriteString(`],"NextPage":"https://www.concursolutions.com/api/v3.0/expense/reports?offset=gWqNext&limit=100"}`)
	return buf.Bytes()
}

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
			for _, rec := range recs {
				var caps [numFields]capture
				if _, err := x.walkObject(rec, 0, 0, x.top, &caps); err != nil {
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
