package poller

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var fuzzRecordPaths = []string{"", "Items", "data.items"}

// FuzzSplitRecords feeds arbitrary pages. splitRecords must never panic;
// it must accept exactly the valid JSON pages whose value at the path is
// null or an array of objects, as encoding/json sees them; and the records
// it returns must be those elements, each valid JSON on its own.
func FuzzSplitRecords(f *testing.F) {
	for _, seed := range []string{
		`[{"id":1},{"id":2}]`, ` [ {"id" : "a\"]"} ] `, `null`, `[]`, `[1]`, `[{"id":1}`, `[{"a":tru}]`,
		`{"Items":[{"ID":"gWq","CreateDate":"2026-11-24T13:45:07.98"}],"NextPage":"https://x"}`,
		`{"data":{"items":[{"id":1}]},"data":{"items":null}}`, `{"\u0049tems":[{}]}`, `[{"a":"\ud800"}]`,
		"[{\"a\":\"\xff\"}]", `[{"a":[[[[{}]]]]}]`, `[{"a":1e}]`, `[{"a":-0.5E+2}]`,
	} {
		for sel := range len(fuzzRecordPaths) {
			f.Add([]byte(seed), uint8(sel))
		}
	}
	f.Add(wooCustomersPage(3), uint8(0))
	f.Add(concurReportsPage(3), uint8(1))

	f.Fuzz(func(t *testing.T, body []byte, sel uint8) {
		path := fuzzRecordPaths[int(sel)%len(fuzzRecordPaths)]
		recs, err := splitRecords(body, path)
		if err != nil && !errors.Is(err, ErrMalformedPage) {
			t.Fatalf("error does not wrap ErrMalformedPage: %v", err)
		}
		valid := json.Valid(body)
		if err == nil && !valid {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		for _, rec := range recs {
			if !json.Valid(rec) || rec[0] != '{' {
				t.Fatalf("record %q is not a valid object", rec)
			}
		}
		if !valid {
			return
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("json.Valid but Unmarshal fails: %v", err)
		}
		want, shapeOK := oracleRecords(v, path)
		if shapeOK != (err == nil) {
			t.Fatalf("path %q: encoding/json shape ok = %v, splitRecords error = %v", path, shapeOK, err)
		}
		if !shapeOK {
			return
		}
		if len(recs) != len(want) {
			t.Fatalf("got %d records, encoding/json has %d", len(recs), len(want))
		}
		for i, rec := range recs {
			var got any
			if err := json.Unmarshal(rec, &got); err != nil || !reflect.DeepEqual(got, want[i]) {
				t.Fatalf("record %d is %q, encoding/json has %v", i, rec, want[i])
			}
		}
	})
}

// oracleRecords is the oracle for splitRecords: the records at path in a
// decoded page, and whether the page has the right shape.
func oracleRecords(v any, path string) ([]any, bool) {
	if path != "" {
		for _, seg := range strings.Split(path, ".") {
			if v == nil {
				return nil, true // null on the way: zero records
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[seg]; !ok {
				return nil, false
			}
		}
	}
	if v == nil {
		return nil, true
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	for _, e := range arr {
		if _, ok := e.(map[string]any); !ok {
			return nil, false
		}
	}
	return arr, true
}

var fuzzExtractPaths = [][3]string{
	{"id", "date_modified_gmt", "date_created_gmt"},
	{"customer.id", "customer.updated", "created"},
	{"ID", "LastModifiedDate", "CreateDate"},
}

// FuzzExtract feeds arbitrary records. extract must never panic; when
// encoding/json says the record is valid, extract must succeed exactly when
// the id is a string or number and the dates are strings, numbers, null or
// absent, and then agree with encoding/json on all three.
func FuzzExtract(f *testing.F) {
	for _, seed := range []string{
		`{"id":42,"date_created_gmt":"2026-11-20T10:00:00","date_modified_gmt":"2026-11-24T13:45:07"}`,
		`{"id":"a\"b\\c\u00e9\ud83d\ude00"}`, `{"id":1e3}`, `{"id":42.0}`, `{"id":null}`, `{"id":{}}`, `{"id":1,"id":2}`,
		`{"customer":{"id":1,"updated":"u"},"created":1764000000000}`, `{"customer":{"id":1},"customer":{}}`,
		`{"\u0069d":7}`, `{"ID":"gWq","CreateDate":"2026-11-24T13:45:07.98"}`, ` {"id" : 1 } `, `[{"id":1}]`,
		`{"id":1`, `{"x":"\"}","id":2}`, "{\"id\":\"\xff\"}", `{"id":"\ud800"}`, `{"id":"\u12"}`, `{"id":01}`,
	} {
		for sel := range len(fuzzExtractPaths) {
			f.Add([]byte(seed), uint8(sel))
		}
	}

	f.Fuzz(func(t *testing.T, rec []byte, sel uint8) {
		paths := fuzzExtractPaths[int(sel)%len(fuzzExtractPaths)]
		got, err := newExtractor(paths[0], paths[1], paths[2]).extract(rec)
		if err != nil {
			if !errors.Is(err, ErrMalformedPage) {
				t.Fatalf("error does not wrap ErrMalformedPage: %v", err)
			}
			if got != (fields{}) {
				t.Fatalf("error with fields %+v", got)
			}
		} else if got.Hash != recordHash(rec) {
			t.Fatalf("hash %#x, want %#x", got.Hash, recordHash(rec))
		}
		if !json.Valid(rec) {
			return // no promise beyond not panicking: splitRecords validates pages
		}
		want, ok := oracleFields(t, rec, paths)
		if !ok {
			if err == nil {
				t.Fatalf("paths %v: accepted %q as %+v, encoding/json disagrees", paths, rec, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("paths %v: %q: %v, encoding/json has %+v", paths, rec, err, want)
		}
		want.Hash = got.Hash
		if got != want {
			t.Fatalf("paths %v: %q: got %+v, encoding/json has %+v", paths, rec, got, want)
		}
	})
}
