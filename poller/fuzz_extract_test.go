package poller

import (
	"encoding/json"
	"errors"
	"testing"
)

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
