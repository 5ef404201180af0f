package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/a12b7632/elementevents/internal/testpages"
)

// FuzzValid holds Valid to json.Valid, and, on what is valid, Find to
// encoding/json's reading of an object's members, and Members too,
// Elements to its reading of an array, and AppendUnquoted to its decoding
// of a string.
func FuzzValid(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":1,"a":[2,{"b":"}"}]}`, `[1,2.5e3,-0,"x\u00e9\n",true,false,null]`, `01`, `1.`,
		"\"\x01\"", `{"a" 1}`, `[1,]`, ` {"\u0061":{"b":[{}]}} `, "\"\xff\"", `-`, `1e+`, `"\uZZZZ"`,
		`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30","billing":{"email":"a\"b@example.com"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Valid(b)
		if want := json.Valid(b); (err == nil) != want {
			t.Fatalf("Valid(%q) = %v, json.Valid = %v", b, err, want)
		}
		// The fast validator ends every value where the scanner does, and
		// fails where it fails: a fallback to the scanner would hide a
		// value it wrongly refused.
		start := skipSpace(b, 0)
		fast := validValue(b, start, 0)
		if end, serr := scanValue(b, start, 0); fast != end && serr == nil || fast >= 0 && serr != nil {
			t.Fatalf("validValue(%q) = %d, scanValue = %d, %v", b, fast, end, serr)
		}
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(b) {
				t.Fatalf("Valid(%q): error %v", b, err)
			}
		}
		v := bytes.Trim(b, " \t\r\n")
		if err != nil {
			// The skipping walkers must stay in bounds on anything.
			_ = Compile("a", "a.b").Find(v, make([]Value, 2))
			_, _ = Elements(v)
			_ = Members(v, func([]byte, bool, []byte) bool { return true })
			return
		}
		switch v[0] {
		case '{':
			var want map[string]json.RawMessage
			if err := json.Unmarshal(v, &want); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range want {
				if !strings.Contains(k, ".") && len(keys) < maxPaths {
					keys = append(keys, k)
				}
			}
			ps := Compile(keys...)
			vals := make([]Value, len(keys))
			if err := ps.Find(v, vals); err != nil {
				t.Fatalf("Find: %v in %q", err, v)
			}
			valid := make([]Value, len(keys))
			if err := ps.FindValid(v, valid); err != nil || !reflect.DeepEqual(vals, valid) {
				t.Fatalf("FindValid: %v, %v; Find %v, in %q", err, valid, vals, v)
			}
			for i, k := range keys {
				if got := vals[i].Raw(v); k != "" && !sameJSON(got, want[k]) {
					t.Fatalf("key %q: Find %q, encoding/json %q", k, got, want[k])
				}
			}
			members := map[string]json.RawMessage{} // the last of a key wins, as in encoding/json
			err := Members(v, func(key []byte, _ bool, value []byte) bool {
				k, ok := AppendUnquoted(nil, key)
				if !ok {
					t.Fatalf("Members: key %q does not unquote, in %q", key, v)
				}
				members[string(k)] = value
				return true
			})
			if err != nil || len(members) != len(want) {
				t.Fatalf("Members found %d (%v), encoding/json %d, in %q", len(members), err, len(want), v)
			}
			for k, w := range want {
				if !sameJSON(members[k], w) {
					t.Fatalf("member %q: %q, encoding/json %q", k, members[k], w)
				}
			}
		case '[':
			var want []json.RawMessage
			if err := json.Unmarshal(v, &want); err != nil {
				t.Fatal(err)
			}
			got, err := Elements(v)
			if err != nil || len(got) != len(want) {
				t.Fatalf("Elements found %d (%v), encoding/json %d, in %q", len(got), err, len(want), v)
			}
			for i := range want {
				if !sameJSON(got[i], want[i]) {
					t.Fatalf("element %d: %q, encoding/json %q", i, got[i], want[i])
				}
			}
		case '"':
			var want string
			if err := json.Unmarshal(v, &want); err != nil {
				t.Fatal(err)
			}
			if got, ok := AppendUnquoted(nil, v[1:len(v)-1]); !ok || string(got) != want {
				t.Fatalf("AppendUnquoted(%q) = %q, %v; encoding/json %q", v, got, ok, want)
			}
		}
	})
}

func sameJSON(a, b []byte) bool {
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes())
}

var fuzzRecordPaths = []string{"", "Items", "data.items"}

// FuzzRecords feeds arbitrary pages. Records must never panic; it must
// accept exactly the valid JSON pages whose value at the path is null or
// an array of objects, as encoding/json sees them; and the records it
// returns must be those elements, each valid JSON on its own. RecordsFind
// must agree with it, and with Find on each record.
func FuzzRecords(f *testing.F) {
	for _, seed := range []string{
		`[{"id":1},{"id":2}]`, ` [ {"id" : "a\"]"} ] `, `null`, `[]`, `[1]`, `[{"id":1}`, `[{"a":tru}]`,
		`{"Items":[{"ID":"gWq","CreateDate":"2026-11-24T13:45:07.98"}],"NextPage":"https://x"}`,
		`{"data":{"items":[{"id":1}]},"data":{"items":null}}`, `{"\u0049tems":[{}]}`, `[{"a":"\ud800"}]`,
		"[{\"a\":\"\xff\"}]", `[{"a":[[[[{}]]]]}]`, `[{"a":1e}]`, `[{"a":-0.5E+2}]`, `{"Items":1,"Items":[]}`,
	} {
		for sel := range len(fuzzRecordPaths) {
			f.Add([]byte(seed), uint8(sel))
		}
	}
	f.Add(testpages.WooCustomers(3), uint8(0))
	f.Add(testpages.ConcurReports(3), uint8(1))

	f.Fuzz(func(t *testing.T, body []byte, sel uint8) {
		path := fuzzRecordPaths[int(sel)%len(fuzzRecordPaths)]
		recs, err := Records(body, path)
		var se *Error
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("error is not an *Error: %v", err)
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
		// RecordsFind splits the same records and finds in each what Find
		// finds in it alone.
		each := Compile("id", "a.b", "")
		frecs, found, ferr := Compile().RecordsFind(body, CompilePath(path), nil, each, nil, nil)
		if (ferr == nil) != (err == nil) || len(frecs) != len(recs) || ferr == nil && len(found) != 3*len(recs) {
			t.Fatalf("RecordsFind: %d records, %d values, %v; Records: %d records, %v", len(frecs), len(found), ferr, len(recs), err)
		}
		for i, rec := range frecs {
			want := make([]Value, 3)
			if err := each.Find(rec, want); err != nil || !reflect.DeepEqual(want, found[3*i:3*i+3]) {
				t.Fatalf("record %d %q: RecordsFind %+v, Find %+v (%v)", i, rec, found[3*i:3*i+3], want, err)
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
			t.Fatalf("path %q: encoding/json shape ok = %v, Records error = %v", path, shapeOK, err)
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

// oracleRecords is the oracle for Records: the records at path in a
// decoded page, and whether the page has the right shape.
func oracleRecords(v any, path string) ([]any, bool) {
	if path != "" {
		for seg := range strings.SplitSeq(path, ".") {
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

var fuzzFindPaths = [][]string{
	{"id", "date_modified_gmt", "date_created_gmt"},
	{"customer.id", "customer.updated", "created", "customer"},
	{"ID", "LastModifiedDate", "CreateDate"},
}

// FuzzFind feeds arbitrary documents. Find must never panic; on valid
// JSON it must agree with FindValid and with encoding/json decoding into
// a map (with UseNumber): which paths are present, the kind of each value,
// the text of a scalar and the JSON of a container.
func FuzzFind(f *testing.F) {
	for _, seed := range []string{
		`{"id":42,"date_created_gmt":"2026-11-20T10:00:00","date_modified_gmt":"2026-11-24T13:45:07"}`,
		`{"id":"a\"b\\c\u00e9\ud83d\ude00"}`, `{"id":1e3}`, `{"id":42.0}`, `{"id":null}`, `{"id":{}}`, `{"id":1,"id":2}`,
		`{"customer":{"id":1,"updated":"u"},"created":1764000000000}`, `{"customer":{"id":1},"customer":{}}`,
		`{"\u0069d":7}`, `{"ID":"gWq","CreateDate":"2026-11-24T13:45:07.98"}`, ` {"id" : 1 } `, `[{"id":1}]`,
		`{"id":1`, `{"x":"\"}","id":2}`, "{\"id\":\"\xff\"}", `{"id":"\ud800"}`, `{"id":"\u12"}`, `{"id":01}`,
	} {
		for sel := range len(fuzzFindPaths) {
			f.Add([]byte(seed), uint8(sel))
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte, sel uint8) {
		paths := fuzzFindPaths[int(sel)%len(fuzzFindPaths)]
		ps := Compile(paths...)
		vals := make([]Value, len(paths))
		err := ps.Find(doc, vals)
		for _, v := range vals {
			if v.Kind != Absent && (v.Start < 0 || v.End > len(doc) || v.Start >= v.End) {
				t.Fatalf("value %+v out of %d bytes", v, len(doc))
			}
		}
		valid := make([]Value, len(paths))
		verr := ps.FindValid(doc, valid)
		if want := Valid(doc); (verr == nil) != (want == nil) || verr != nil && verr.Error() != want.Error() {
			t.Fatalf("FindValid: %v, Valid: %v", verr, want)
		}
		// The fast walk of an object ends where the scanner ends it, and
		// fails where it fails: the walk again for the error would hide
		// an object it wrongly refused.
		if start := skipSpace(doc, 0); start < len(doc) && doc[start] == '{' {
			w := walker{paths: ps.paths, lens: ps.lens, vals: make([]Value, len(paths)), validate: true}
			fast := w.validPathObject(doc, start, 0, 0, ps.top)
			if end, serr := scanValue(doc, start, 0); fast != end && serr == nil || fast >= 0 && serr != nil {
				t.Fatalf("validPathObject(%q) = %d, scanValue = %d, %v", doc, fast, end, serr)
			}
		}
		if verr != nil {
			return
		}
		if err != nil || !reflect.DeepEqual(vals, valid) {
			t.Fatalf("Find %v %+v, FindValid %+v, on %q", err, vals, valid, doc)
		}
		top, err := oracleDecode(doc)
		if err != nil {
			t.Fatalf("valid, but encoding/json: %v", err)
		}
		for i, p := range paths {
			want, present := oracleLookup(top, p)
			checkFound(t, doc, p, vals[i], want, present)
		}
	})
}

// checkFound holds the value Find found at path p to encoding/json's.
func checkFound(t *testing.T, doc []byte, p string, v Value, want any, present bool) {
	t.Helper()
	if !present {
		if v.Kind != Absent {
			t.Fatalf("%s: found %s %q, encoding/json has nothing", p, v.Kind, v.Raw(doc))
		}
		return
	}
	text, ok := v.Text(doc)
	switch w := want.(type) {
	case nil:
		ok = ok && v.Kind == Null
	case string:
		ok = ok && v.Kind == String && text == w
	case json.Number:
		ok = ok && v.Kind == Number && text == string(w)
	case bool:
		ok = ok && v.Kind == Bool && text == map[bool]string{true: "true", false: "false"}[w]
	default:
		got, err := oracleDecode(v.Raw(doc))
		ok = err == nil && (v.Kind == Object || v.Kind == Array) && reflect.DeepEqual(got, w)
	}
	if !ok {
		t.Fatalf("%s: found %s %q (text %q), encoding/json has %#v", p, v.Kind, v.Raw(doc), text, want)
	}
}

func oracleDecode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

// oracleLookup follows a dotted path through decoded maps.
func oracleLookup(v any, path string) (any, bool) {
	for seg := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return v, true
}
