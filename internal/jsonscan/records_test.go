package jsonscan

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRecords(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"a":[`, 200) + `1` + strings.Repeat(`]}`, 200)
	tests := []struct {
		name    string
		body    string
		path    string
		want    []string
		wantErr bool
		wantOff string // expected in the error ("offset N: message"), when set
	}{
		{name: "top-level array", body: `[{"id":1},{"id":2}]`, want: []string{`{"id":1}`, `{"id":2}`}},
		{name: "one record", body: `[{"id":1}]`, want: []string{`{"id":1}`}},
		{name: "whitespace trimmed", body: " \n[ {\"id\" : 1 } ,\t{\"id\":2}\r\n ] \n", want: []string{`{"id" : 1 }`, `{"id":2}`}},
		{name: "Items", path: "Items", body: `{"Items":[{"ID":"gWq"}],"NextPage":"https://x/y?a=[1]"}`, want: []string{`{"ID":"gWq"}`}},
		{name: "nested path", path: "data.items", body: `{"meta":{"items":[{"x":1}]},"data":{"total":2,"items":[{"a":1},{"b":{}}],"next":null}}`, want: []string{`{"a":1}`, `{"b":{}}`}},
		{name: "null body", body: `null`, want: nil},
		{name: "null at path", path: "Items", body: `{"Items":null,"NextPage":null}`, want: nil},
		{name: "null on the way", path: "data.items", body: `{"data":null}`, want: nil},
		{name: "empty array", body: `[]`, want: nil},
		{name: "empty array with space", body: "[ \n ]", want: nil},
		{name: "empty at path", path: "Items", body: `{"Items":[]}`, want: nil},
		{name: "strings with brackets and quotes", body: `[{"a":"]}[{,","b":"\"}\"","c":"\\","d":"\\\"]"},{"e":"\u005d\ud83d\ude00 ü"}]`,
			want: []string{`{"a":"]}[{,","b":"\"}\"","c":"\\","d":"\\\"]"}`, `{"e":"\u005d\ud83d\ude00 ü"}`}},
		{name: "all value kinds", body: `[{"a":[true,false,null,-0,0.5e-3,1E+2,"",{},[]]}]`, want: []string{`{"a":[true,false,null,-0,0.5e-3,1E+2,"",{},[]]}`}},
		{name: "deep nesting", body: `[{"x":` + deep + `}]`, want: []string{`{"x":` + deep + `}`}},
		{name: "escaped key on path", path: "Items", body: `{"\u0049tems":[{"a":1}]}`, want: []string{`{"a":1}`}},
		{name: "duplicate path key last wins", path: "Items", body: `{"Items":[{"a":1}],"Items":[{"b":2},{"c":3}]}`, want: []string{`{"b":2}`, `{"c":3}`}},
		{name: "duplicate path key: a bad value replaced", path: "Items", body: `{"Items":1,"Items":[{"a":1}]}`, want: []string{`{"a":1}`}},
		{name: "duplicate path key: bad records replaced", path: "Items", body: `{"Items":[1,"x"],"Items":[{"a":1}]}`, want: []string{`{"a":1}`}},
		{name: "duplicate parent: a missing path replaced", path: "data.items", body: `{"data":{"x":1},"data":{"items":[{"a":1}]}}`, want: []string{`{"a":1}`}},
		{name: "duplicate parent: records replaced by null", path: "data.items", body: `{"data":{"items":[{"a":1}]},"data":null}`, want: nil},
		{name: "invalid UTF-8 accepted like encoding/json", body: "[{\"a\":\"\xff\"}]", want: []string{"{\"a\":\"\xff\"}"}},

		{name: "empty body", body: ``, wantErr: true, wantOff: "offset 0"},
		{name: "only space", body: "  \n", wantErr: true},
		{name: "bare word", body: `hello`, wantErr: true, wantOff: "offset 0"},
		{name: "unbalanced open", body: `[{"id":1}`, wantErr: true},
		{name: "unbalanced close", body: `[{"id":1}}]`, wantErr: true, wantOff: "offset 9"},
		{name: "extra close", body: `[{"id":1}]]`, wantErr: true, wantOff: "offset 10"},
		{name: "trailing garbage", body: `[{"id":1}] x`, wantErr: true, wantOff: "offset 11"},
		{name: "two values", body: `[] []`, wantErr: true},
		{name: "trailing comma", body: `[{"id":1},]`, wantErr: true},
		{name: "trailing comma in object", body: `[{"id":1,}]`, wantErr: true},
		{name: "lone comma", body: `[{,}]`, wantErr: true},
		{name: "number record", body: `[1]`, wantErr: true, wantOff: "offset 1: records must be objects"},
		{name: "string record", body: `[{"id":1},"x"]`, wantErr: true, wantOff: "offset 10: records must be objects"},
		{name: "array record", body: `[[]]`, wantErr: true},
		{name: "null record", body: `[null]`, wantErr: true},
		{name: "bad literal", body: `[{"a":tru}]`, wantErr: true},
		{name: "bad null", body: `[{"a":nul}]`, wantErr: true},
		{name: "capital literal", body: `[{"a":True}]`, wantErr: true},
		{name: "leading zero", body: `[{"a":01}]`, wantErr: true},
		{name: "bare dot", body: `[{"a":1.}]`, wantErr: true},
		{name: "bare minus", body: `[{"a":-}]`, wantErr: true},
		{name: "bare exponent", body: `[{"a":1e}]`, wantErr: true},
		{name: "plus sign", body: `[{"a":+1}]`, wantErr: true},
		{name: "hex number", body: `[{"a":0x1}]`, wantErr: true},
		{name: "bad escape", body: `[{"a":"\x"}]`, wantErr: true, wantOff: "offset 7"},
		{name: "single-quote escape", body: `[{"a":"\'"}]`, wantErr: true},
		{name: "short unicode escape", body: `[{"a":"\u12"}]`, wantErr: true},
		{name: "bad unicode escape", body: `[{"a":"\u12g4"}]`, wantErr: true},
		{name: "unterminated string", body: `[{"a":"b}]`, wantErr: true, wantOff: "offset 6"},
		{name: "escaped final quote", body: `[{"a":"b\"}]`, wantErr: true},
		{name: "control character", body: "[{\"a\":\"b\tc\"}]", wantErr: true, wantOff: "offset 8"},
		{name: "newline in string", body: "[{\"a\":\"b\nc\"}]", wantErr: true},
		{name: "bare key", body: `[{a:1}]`, wantErr: true},
		{name: "single-quoted", body: `[{'a':1}]`, wantErr: true},
		{name: "missing colon", body: `[{"a" 1}]`, wantErr: true},
		{name: "missing value", body: `[{"a":}]`, wantErr: true},
		{name: "missing comma", body: `[{"a":1 "b":2}]`, wantErr: true},
		{name: "mismatched brackets", body: `[{"a":[1,2}]`, wantErr: true},
		{name: "mismatched brackets 2", body: `[{"a":{"b":1]}]`, wantErr: true},
		{name: "two literals", body: `[{"a":true false}]`, wantErr: true},
		{name: "byte order mark", body: "\uFEFF[]", wantErr: true},
		{name: "NUL after", body: "[]\x00", wantErr: true},
		{name: "comment", body: `[/* */]`, wantErr: true},
		{name: "path: not an array", path: "Items", body: `{"Items":{}}`, wantErr: true, wantOff: "not an array"},
		{name: "path: string", path: "Items", body: `{"Items":"[]"}`, wantErr: true},
		{name: "path: missing", path: "Items", body: `{"items":[]}`, wantErr: true, wantOff: `offset 0: records path "Items" not found`},
		{name: "path: empty object", path: "Items", body: `{}`, wantErr: true},
		{name: "path: body is an array", path: "Items", body: `[]`, wantErr: true},
		{name: "path: intermediate not object", path: "data.items", body: `{"data":[]}`, wantErr: true},
		{name: "path: last duplicate wins even if bad", path: "Items", body: `{"Items":[],"Items":1}`, wantErr: true},
		{name: "path: garbage after the array", path: "Items", body: `{"Items":[],"Next":x}`, wantErr: true},
		{name: "path: unterminated after the array", path: "Items", body: `{"Items":[{"a":1}]`, wantErr: true},
		{name: "no path: body is an object", body: `{"Items":[]}`, wantErr: true},
		{name: "path: not found inside", path: "data.items", body: `{"data":{"x":1}}`, wantErr: true, wantOff: `offset 8: records path "data.items" not found`},
		{name: "path: array on the way", path: "data.items", body: `{"data":[]}`, wantErr: true, wantOff: `offset 8: records path "data.items": value is not an object`},
		{name: "path: number at the path", path: "Items", body: `{"Items":12}`, wantErr: true, wantOff: `offset 9: value at records path "Items" is not an array`},
		{name: "path: a record not an object", path: "Items", body: `{"Items":[{},[],1]}`, wantErr: true, wantOff: `offset 13: records must be objects`},
		{name: "path: a syntax error after a shape error", path: "Items", body: `{"Items":1,"x":tru}`, wantErr: true, wantOff: `offset 15: invalid literal`},
		{name: "body: a syntax error after a bad record", body: `[1,{"a":tru}]`, wantErr: true, wantOff: `offset 8: invalid literal`},
		{name: "too deep", body: `[{"a":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}]`, wantErr: true, wantOff: "nesting deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Records([]byte(tt.body), tt.path)
			if tt.wantErr {
				var se *Error
				require.ErrorAs(t, err, &se)
				require.Nil(t, got)
				require.Contains(t, err.Error(), tt.wantOff)
				return
			}
			require.NoError(t, err)
			require.Len(t, got, len(tt.want))
			for i, rec := range got {
				require.Equal(t, tt.want[i], string(rec))
				require.True(t, json.Valid(rec))
			}
		})
	}
}

// TestSplitRecordsNoCopies checks that records alias the body, with their
// capacity clipped so an append cannot overwrite the page.
func TestRecordsNoCopies(t *testing.T) {
	t.Parallel()
	body := []byte(`{"Items":[{"a":1}, {"b":2}]}`)
	recs, err := Records(body, "Items")
	require.NoError(t, err)
	require.Len(t, recs, 2)
	require.Same(t, &body[10], &recs[0][0])
	require.Same(t, &body[19], &recs[1][0])
	require.Equal(t, len(recs[0]), cap(recs[0]))
}

// TestSplitRecordsTruncated cuts small valid pages at every position: each
// prefix must be an error, never a panic or a shorter page.
func TestRecordsTruncated(t *testing.T) {
	t.Parallel()
	pages := []struct{ body, path string }{
		{`[{"id":1,"d":"2026-11-24T13:45:07","s":"a\"b\\c\u00e9]}","n":[-1.5e3,true,false,null,{}]},{"id":"x"}]`, ""},
		{`{"Items":[{"ID":"gWq","CreateDate":"2026-11-24T13:45:07.98"}],"NextPage":"https://x/?p=2"}`, "Items"},
		{`{"data":{"items":[{"id":2}]}}`, "data.items"},
	}
	for _, p := range pages {
		_, err := Records([]byte(p.body), p.path)
		require.NoError(t, err)
		for n := range len(p.body) {
			recs, err := Records([]byte(p.body[:n]), p.path)
			var se *Error
			require.ErrorAs(t, err, &se, "prefix %q", p.body[:n])
			require.Nil(t, recs)
		}
	}
}

// TestSplitRecordsDepth agrees with encoding/json on the nesting limit.
func TestRecordsDepth(t *testing.T) {
	t.Parallel()
	for _, depth := range []int{MaxDepth - 1, MaxDepth} {
		// The page's array and the record object count as two levels.
		inner := strings.Repeat("[", depth-2) + strings.Repeat("]", depth-2)
		body := []byte(`[{"a":` + inner + `}]`)
		_, err := Records(body, "")
		require.Equal(t, json.Valid(body), err == nil, "depth %d: %v", depth, err)
	}
	body := []byte(`[{"a":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}]`)
	_, err := Records(body, "")
	require.False(t, json.Valid(body))
	var se *Error
	require.True(t, errors.As(err, &se))
}
