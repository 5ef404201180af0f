// Package testpages builds the vendor JSON that the tests and benchmarks
// of several packages read, so that they measure the same bytes: pages of
// WooCommerce customers and of Concur expense reports, generated from a
// fixed seed (the same on every run and machine), and a WooCommerce order
// as its webhook sends it.
//
//	page := testpages.WooCustomers(10_000) // about 12 MB, a top-level array
package testpages

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

var (
	firstNames = []string{"John", "Maria", "Wei", "Aïsha", "Søren", "Fatima", "Liam", "Olivia", "Noah", "Chloé", "Mateo", "Yuki"}
	lastNames  = []string{"Doe", "García", "Chen", "O'Brien", "Müller", "Nguyen", "Smith", "Kowalski", "Rossi", "Dubois", `"Ace" Jones`, "Okafor"}
	cities     = []string{"San Francisco", "Austin", "Berlin", "São Paulo", "Lyon", "Toronto", "Seattle", "Dublin"}
	streets    = []string{"Market St", "Main St", "Elm Ave", "Königstraße", "Rue de la Paix", "Queen St W", "Pike St"}
	states     = []string{"CA", "TX", "BE", "SP", "ARA", "ON", "WA", "D"}
)

// wpString writes s as WordPress's wp_json_encode does by default (PHP
// json_encode without flags): slashes escaped as \/ and every non-ASCII
// rune as \uXXXX, which is where real WooCommerce pages get their escapes.
func wpString(buf *bytes.Buffer, s string) {
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

func pick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }

// WooCustomers returns a GET /wp-json/wc/v3/customers page of n
// customers with WooCommerce's field set, about 1 KiB each.
func WooCustomers(n int) []byte {
	rng := rand.New(rand.NewPCG(42, 7))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	buf.Grow(n * 1200)
	buf.WriteByte('[')
	str := func(key, val string) {
		buf.WriteString(`"` + key + `":`)
		wpString(&buf, val)
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
		first, last := pick(rng, firstNames), pick(rng, lastNames)
		email := fmt.Sprintf("customer%d@example.com", id)
		address := fmt.Sprintf("%d %s", 1+rng.IntN(9999), pick(rng, streets))
		city, state := pick(rng, cities), pick(rng, states)
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
			wpString(&buf, phone)
			buf.WriteString(`},`)
		}
		buf.WriteString(`"is_paying_customer":` + strconv.FormatBool(rng.IntN(2) == 0) + `,`)
		str("avatar_url", fmt.Sprintf("https://secure.gravatar.com/avatar/%016x%016x?s=96&d=mm&r=g", rng.Uint64(), rng.Uint64()))
		buf.WriteString(`"meta_data":[{"id":` + strconv.Itoa(5000+2*i) + `,"key":"_last_update","value":"` +
			strconv.FormatInt(modified.Unix(), 10) + `"},{"id":` + strconv.Itoa(5001+2*i) +
			`,"key":"wc_last_active","value":"` + strconv.FormatInt(modified.Unix()/86400*86400, 10) + `"}],`)
		buf.WriteString(`"_links":{"self":[{"href":`)
		wpString(&buf, fmt.Sprintf("https://shop.example.com/wp-json/wc/v3/customers/%d", id))
		buf.WriteString(`}],"collection":[{"href":`)
		wpString(&buf, "https://shop.example.com/wp-json/wc/v3/customers")
		buf.WriteString(`}]}}`)
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// ConcurReports returns a Concur expense reports page of n reports:
// records at "Items", string IDs near the end of each record, and the
// NextPage link after the array.
func ConcurReports(n int) []byte {
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
		owner := pick(rng, firstNames) + " " + pick(rng, lastNames)
		fmt.Fprintf(&buf, `{"Name":"Trip %d to %s","Total":%.2f,"CurrencyCode":"USD","Country":"US","CountrySubdivision":"US-WA",`+
			`"CreateDate":"%s","SubmitDate":"%s","ProcessingPaymentDate":null,"PaidDate":null,"UserDefinedDate":"%s",`+
			`"LastComment":"Receipts attached, see \"hotel\" line","OwnerLoginID":"user%d@example.com","OwnerName":%q,`+
			`"ApproverLoginID":"manager%d@example.com","ApproverName":"Pat Manager","ApprovalStatusName":"Approved",`+
			`"ApprovalStatusCode":"A_APPR","PaymentStatusName":"Not Paid","PaymentStatusCode":"P_NOTP",`+
			`"LastModifiedDate":"%s","PersonalAmount":0,"AmountDueEmployee":%.2f,"AmountDueCompanyCard":0,`+
			`"TotalClaimedAmount":%.2f,"TotalApprovedAmount":%.2f,"LedgerName":"DEFAULT","PolicyID":"gWqPolicy%04d",`+
			`"EverSentBack":false,"HasException":%t,"WorkflowActionURL":"https://www.concursolutions.com/api/v3.0/expense/workflowaction/%s",`+
			`"ID":%q,"URI":"https://www.concursolutions.com/api/v3.0/expense/reports/%s"}`,
			i, pick(rng, cities), total, created.Format(layout), modified.Format(layout), created.Format("2006-01-02T00:00:00"),
			i%500, owner, i%50, modified.Format(layout), total, total, total, rng.IntN(100),
			rng.IntN(3) == 0, id, id, id)
	}
	buf.WriteString(`],"NextPage":"https://www.concursolutions.com/api/v3.0/expense/reports?offset=gWqNext&limit=100"}`)
	return buf.Bytes()
}

// WooOrder returns a WooCommerce order.updated webhook body of about
// 1 KiB; each call returns a new copy.
func WooOrder() []byte { return []byte(wooOrder) }

const wooOrder = `{"id":727,"parent_id":0,"number":"727","order_key":"wc_order_58d2d042d1d","created_via":"rest-api","version":"8.4.0","status":"processing","currency":"USD","date_created":"2026-11-24T12:00:00","date_created_gmt":"2026-11-24T12:00:00","date_modified":"2026-11-24T12:05:31","date_modified_gmt":"2026-11-24T12:05:31","discount_total":"0.00","discount_tax":"0.00","shipping_total":"10.00","shipping_tax":"0.00","cart_tax":"1.35","total":"29.35","total_tax":"1.35","prices_include_tax":false,"customer_id":25,"customer_ip_address":"","customer_user_agent":"","customer_note":"","billing":{"first_name":"John","last_name":"Doe","company":"","address_1":"969 Market","address_2":"","city":"San Francisco","state":"CA","postcode":"94103","country":"US","email":"john.doe@example.com","phone":"(555) 555-5555"},"shipping":{"first_name":"John","last_name":"Doe","company":"","address_1":"969 Market","address_2":"","city":"San Francisco","state":"CA","postcode":"94103","country":"US"},"payment_method":"bacs","payment_method_title":"Direct Bank Transfer","transaction_id":"","line_items":[{"id":315,"name":"Woo Single #1","product_id":93,"variation_id":0,"quantity":2,"tax_class":"","subtotal":"6.00","subtotal_tax":"0.45","total":"6.00","total_tax":"0.45","sku":"","price":3}],"meta_data":[]}`
