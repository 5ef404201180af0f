package poller

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitRecords(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"a":[`, 200) + `1` + strings.Repeat(`]}`, 200)
	tests := []struct {
		name    string
		body    string
		path    string
		want    []string
		wantErr error
		wantOff string // "offset N" expected in the error, when set
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
		{name: "invalid UTF-8 accepted like encoding/json", body: "[{\"a\":\"\xff\"}]", want: []string{"{\"a\":\"\xff\"}"}},

		{name: "empty body", body: ``, wantErr: ErrMalformedPage, wantOff: "offset 0"},
		{name: "only space", body: "  \n", wantErr: ErrMalformedPage},
		{name: "bare word", body: `hello`, wantErr: ErrMalformedPage, wantOff: "offset 0"},
		{name: "unbalanced open", body: `[{"id":1}`, wantErr: ErrMalformedPage},
		{name: "unbalanced close", body: `[{"id":1}}]`, wantErr: ErrMalformedPage, wantOff: "offset 9"},
		{name: "extra close", body: `[{"id":1}]]`, wantErr: ErrMalformedPage, wantOff: "offset 10"},
		{name: "trailing garbage", body: `[{"id":1}] x`, wantErr: ErrMalformedPage, wantOff: "offset 11"},
		{name: "two values", body: `[] []`, wantErr: ErrMalformedPage},
		{name: "trailing comma", body: `[{"id":1},]`, wantErr: ErrMalformedPage},
		{name: "trailing comma in object", body: `[{"id":1,}]`, wantErr: ErrMalformedPage},
		{name: "lone comma", body: `[{,}]`, wantErr: ErrMalformedPage},
		{name: "number record", body: `[1]`, wantErr: ErrMalformedPage, wantOff: "offset 1: records must be objects"},
		{name: "string record", body: `[{"id":1},"x"]`, wantErr: ErrMalformedPage, wantOff: "offset 10: records must be objects"},
		{name: "array record", body: `[[]]`, wantErr: ErrMalformedPage},
		{name: "null record", body: `[null]`, wantErr: ErrMalformedPage},
		{name: "bad literal", body: `[{"a":tru}]`, wantErr: ErrMalformedPage},
		{name: "bad null", body: `[{"a":nul}]`, wantErr: ErrMalformedPage},
		{name: "capital literal", body: `[{"a":True}]`, wantErr: ErrMalformedPage},
		{name: "leading zero", body: `[{"a":01}]`, wantErr: ErrMalformedPage},
		{name: "bare dot", body: `[{"a":1.}]`, wantErr: ErrMalformedPage},
		{name: "bare minus", body: `[{"a":-}]`, wantErr: ErrMalformedPage},
		{name: "bare exponent", body: `[{"a":1e}]`, wantErr: ErrMalformedPage},
		{name: "plus sign", body: `[{"a":+1}]`, wantErr: ErrMalformedPage},
		{name: "hex number", body: `[{"a":0x1}]`, wantErr: ErrMalformedPage},
		{name: "bad escape", body: `[{"a":"\x"}]`, wantErr: ErrMalformedPage, wantOff: "offset 7"},
		{name: "single-quote escape", body: `[{"a":"\'"}]`, wantErr: ErrMalformedPage},
		{name: "short unicode escape", body: `[{"a":"\u12"}]`, wantErr: ErrMalformedPage},
		{name: "bad unicode escape", body: `[{"a":"\u12g4"}]`, wantErr: ErrMalformedPage},
		{name: "unterminated string", body: `[{"a":"b}]`, wantErr: ErrMalformedPage, wantOff: "offset 6"},
		{name: "escaped final quote", body: `[{"a":"b\"}]`, wantErr: ErrMalformedPage},
		{name: "control character", body: "[{\"a\":\"b\tc\"}]", wantErr: ErrMalformedPage, wantOff: "offset 8"},
		{name: "newline in string", body: "[{\"a\":\"b\nc\"}]", wantErr: ErrMalformedPage},
		{name: "bare key", body: `[{a:1}]`, wantErr: ErrMalformedPage},
		{name: "single-quoted", body: `[{'a':1}]`, wantErr: ErrMalformedPage},
		{name: "missing colon", body: `[{"a" 1}]`, wantErr: ErrMalformedPage},
		{name: "missing value", body: `[{"a":}]`, wantErr: ErrMalformedPage},
		{name: "missing comma", body: `[{"a":1 "b":2}]`, wantErr: ErrMalformedPage},
		{name: "mismatched brackets", body: `[{"a":[1,2}]`, wantErr: ErrMalformedPage},
		{name: "mismatched brackets 2", body: `[{"a":{"b":1]}]`, wantErr: ErrMalformedPage},
		{name: "two literals", body: `[{"a":true false}]`, wantErr: ErrMalformedPage},
		{name: "byte order mark", body: "\uFEFF[]", wantErr: ErrMalformedPage},
		{name: "NUL after", body: "[]\x00", wantErr: ErrMalformedPage},
		{name: "comment", body: `[/* */]`, wantErr: ErrMalformedPage},
		{name: "path: not an array", path: "Items", body: `{"Items":{}}`, wantErr: ErrMalformedPage, wantOff: "not an array"},
		{name: "path: string", path: "Items", body: `{"Items":"[]"}`, wantErr: ErrMalformedPage},
		{name: "path: missing", path: "Items", body: `{"items":[]}`, wantErr: ErrMalformedPage, wantOff: `offset 0: records path "Items" not found`},
		{name: "path: empty object", path: "Items", body: `{}`, wantErr: ErrMalformedPage},
		{name: "path: body is an array", path: "Items", body: `[]`, wantErr: ErrMalformedPage},
		{name: "path: intermediate not object", path: "data.items", body: `{"data":[]}`, wantErr: ErrMalformedPage},
		{name: "path: last duplicate wins even if bad", path: "Items", body: `{"Items":[],"Items":1}`, wantErr: ErrMalformedPage},
		{name: "path: garbage after the array", path: "Items", body: `{"Items":[],"Next":x}`, wantErr: ErrMalformedPage},
		{name: "path: unterminated after the array", path: "Items", body: `{"Items":[{"a":1}]`, wantErr: ErrMalformedPage},
		{name: "no path: body is an object", body: `{"Items":[]}`, wantErr: ErrMalformedPage},
		{name: "too deep", body: `[{"a":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}]`, wantErr: ErrMalformedPage, wantOff: "nesting deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := splitRecords([]byte(tt.body), tt.path)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
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
func TestSplitRecordsNoCopies(t *testing.T) {
	t.Parallel()
	body := []byte(`{"Items":[{"a":1}, {"b":2}]}`)
	recs, err := splitRecords(body, "Items")
	require.NoError(t, err)
	require.Len(t, recs, 2)
	require.Same(t, &body[10], &recs[0][0])
	require.Same(t, &body[19], &recs[1][0])
	require.Equal(t, len(recs[0]), cap(recs[0]))
}

// TestSplitRecordsTruncated cuts small valid pages at every position: each
// prefix must be an error, never a panic or a shorter page.
func TestSplitRecordsTruncated(t *testing.T) {
	t.Parallel()
	pages := []struct{ body, path string }{
		{`[{"id":1,"d":"2026-11-24T13:45:07","s":"a\"b\\c\u00e9]}","n":[-1.5e3,true,false,null,{}]},{"id":"x"}]`, ""},
		{`{"Items":[{"ID":"gWq","CreateDate":"2026-11-24T13:45:07.98"}],"NextPage":"https://x/?p=2"}`, "Items"},
		{`{"data":{"items":[{"id":2}]}}`, "data.items"},
	}
	for _, p := range pages {
		_, err := splitRecords([]byte(p.body), p.path)
		require.NoError(t, err)
		for n := range len(p.body) {
			recs, err := splitRecords([]byte(p.body[:n]), p.path)
			require.ErrorIs(t, err, ErrMalformedPage, "prefix %q", p.body[:n])
			require.Nil(t, recs)
		}
	}
}

// TestSplitRecordsDepth agrees with encoding/json on the nesting limit.
func TestSplitRecordsDepth(t *testing.T) {
	t.Parallel()
	for _, depth := range []int{maxJSONDepth - 1, maxJSONDepth} {
		// The page's array and the record object count as two levels.
		inner := strings.Repeat("[", depth-2) + strings.Repeat("]", depth-2)
		body := []byte(`[{"a":` + inner + `}]`)
		_, err := splitRecords(body, "")
		require.Equal(t, json.Valid(body), err == nil, "depth %d: %v", depth, err)
	}
	body := []byte(`[{"a":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}]`)
	_, err := splitRecords(body, "")
	require.False(t, json.Valid(body))
	require.True(t, errors.Is(err, ErrMalformedPage))
}
