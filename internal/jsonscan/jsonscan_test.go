package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/testpages"
)

func TestValid(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		`{}`, `[]`, `""`, `0`, `-0`, `-0.0e+0`, `1E9`, `true`, `false`, `null`, ` {"a" : [1, {"b":null}] } `,
		`"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"`, "\"\xff\xfe\"", `{"a":1,"a":2}`, "\t\r\n[1]\t\r\n",
		`01`, `1.`, `.1`, `1e`, `1e+`, `-`, `+1`, `tru`, `nul`, `truex`, `[1,]`, `[,1]`, `{"a":1,}`, `{"a"}`, `{a:1}`,
		`{"a":1 "b":2}`, `"\x"`, `"\u12"`, `"\u12G4"`, "\"a\x01\"", `"abc`, `[`, `{`, ``, ` `, `{}{}`, `[1]]`,
		"\"0123456789abcdef0123456789abcdef\"", "\"0123456789abcdef0123456789\\\"abcdef\"", "\"01234567\x1f\"",
		"\v1", "1\f", "\u00a01", "\uFEFF{}", "[1]\x00",
	} {
		err := Valid([]byte(s))
		require.Equal(t, json.Valid([]byte(s)), err == nil, "%q: %v", s, err)
		if err != nil {
			var se *Error
			require.ErrorAs(t, err, &se)
			require.LessOrEqual(t, se.Offset, len(s))
		}
	}
	deep := func(n int) []byte {
		return []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
	}
	require.NoError(t, Valid(deep(MaxDepth)))
	require.EqualError(t, Valid(deep(MaxDepth+1)), "offset 10000: nesting deeper than 10000")
	require.False(t, json.Valid(deep(MaxDepth+1)), "the same depth limit as encoding/json")
}

// TestValidOffsets pins where errors point: the byte that is wrong.
func TestValidOffsets(t *testing.T) {
	t.Parallel()
	tests := []struct{ doc, want string }{
		{``, "offset 0: unexpected end of input, expected a value"},
		{`  x`, "offset 2: unexpected 'x', expected a value"},
		{`[1,2`, "offset 4: unexpected end of input in array"},
		{`{"a":1]`, "offset 6: expected ',' or '}' in object, found ']'"},
		{`{"a" 1}`, "offset 5: expected ':' after object key"},
		{`["abc`, "offset 1: unterminated string"},
		{`["a\qc"]`, "offset 3: invalid escape in string"},
		{"[\"a\nc\"]", "offset 3: control character in string"},
		{`[1.]`, "offset 1: invalid number"},
		{`[nul]`, "offset 1: invalid literal, expected null"},
		{`[] x`, "offset 3: unexpected 'x' after the top-level value"},
	}
	for _, tt := range tests {
		require.EqualError(t, Valid([]byte(tt.doc)), tt.want, "%q", tt.doc)
	}
}

func TestElements(t *testing.T) {
	t.Parallel()
	els, err := Elements([]byte(` [ 1 , "a,b" , {"x":[2,3]} , [] , "\\" ] `))
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte(`1`), []byte(`"a,b"`), []byte(`{"x":[2,3]}`), []byte(`[]`), []byte(`"\\"`)}, els)
	els, err = Elements([]byte(`[]`))
	require.NoError(t, err)
	require.Empty(t, els)

	for _, s := range []string{`{}`, ``, `[1,`, `[1 2]`, `["\`, `[`, `[1]x`, `[]]`, `[tru]`} {
		_, err := Elements([]byte(s))
		var se *Error
		require.ErrorAs(t, err, &se, "%q", s)
	}
}

func TestValueText(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"p":"plain","e":"a\u00e9\n","x":"bad\q","n":-1.5,"b":false,"z":null,"o":{}}`)
	ps := Compile("p", "e", "x", "n", "b", "z", "o", "absent")
	vals := make([]Value, ps.Len())
	require.NoError(t, ps.Find(doc, vals))
	tests := []struct {
		text  string
		ok    bool
		plain bool
		raw   string
	}{
		{"plain", true, true, `"plain"`},
		{"aé\n", true, false, `"a\u00e9\n"`},
		{"bad", false, false, `"bad\q"`},
		{"-1.5", true, false, `-1.5`},
		{"false", true, false, `false`},
		{"", true, false, `null`},
		{"", true, false, `{}`},
		{"", true, false, ``},
	}
	for i, tt := range tests {
		got, ok := vals[i].Text(doc)
		require.Equal(t, tt.ok, ok, "value %d", i)
		if ok {
			require.Equal(t, tt.text, got, "value %d", i)
		}
		app, ok := vals[i].AppendText([]byte("<"), doc)
		require.Equal(t, tt.ok, ok, "value %d", i)
		if ok {
			require.Equal(t, "<"+tt.text, string(app), "value %d", i)
		}
		require.Equal(t, tt.plain, vals[i].Plain, "value %d", i)
		require.Equal(t, tt.raw, string(vals[i].Raw(doc)), "value %d", i)
	}
	require.Equal(t, "string", String.String())
	require.Equal(t, "Kind(9)", Kind(9).String())
}

// TestRecordsWithPaths reads pagination fields in the pass that splits
// the records.
func TestRecordsWithPaths(t *testing.T) {
	t.Parallel()
	ps := Compile("NextPage", "meta.total", "Items.NextPage", "Items")
	body := []byte(`{"Items":[{"NextPage":"no"},{"a":2}],"meta":{"total":"12","n":null},"NextPage":"https://x/y"}`)
	vals := make([]Value, ps.Len())
	recs, err := ps.Records(body, "Items", vals)
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte(`{"NextPage":"no"}`), []byte(`{"a":2}`)}, recs)
	require.Equal(t, found{String, "https://x/y"}, foundOf(t, body, vals[0]))
	require.Equal(t, found{String, "12"}, foundOf(t, body, vals[1]))
	require.Equal(t, found{}, foundOf(t, body, vals[2]), "crosses an array")
	require.Equal(t, found{Array, `[{"NextPage":"no"},{"a":2}]`}, foundOf(t, body, vals[3]))

	// The fields are checked like the rest of the body.
	_, err = ps.Records([]byte(`{"Items":[],"NextPage":"a\qb"}`), "Items", vals)
	require.EqualError(t, err, `offset 25: invalid escape in string`)

	// A top-level array has records but no fields.
	recs, err = ps.Records([]byte(`[{"a":1}]`), "", vals)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, make([]Value, ps.Len()), vals)
}

// TestRecordsFind finds in every record, in the pass that splits them,
// what Find finds in each record alone.
func TestRecordsFind(t *testing.T) {
	t.Parallel()
	each := Compile("id", "billing.email", "meta_data", "absent", "_links.self")
	pages := []struct {
		body, path string
		want       int
	}{
		{string(testpages.WooCustomers(40)), "", 40},
		{`{"r":[{"id":1,"id":{"x":[2]}},{"billing":{"email":"a\u0040b"},"billing":{"email":null}}],"r":null}`, "r", 0},
		{`{"r":[{"id":1}],"r":[{"meta_data":[1]}, {"_links":{"self":"s"}}]}`, "r", 2},
		{`{"x":{"r":[{"id":1}]},"x":{"r":[]}}`, "x.r", 0},
	}
	for _, p := range pages {
		prefix := []Value{{Kind: Number, Start: 1, End: 2}} // kept as given
		require.Equal(t, p.path, CompilePath(p.path).String())
		recs, found, err := Compile().RecordsFind([]byte(p.body), CompilePath(p.path), nil, each, prefix, nil)
		require.NoError(t, err)
		require.Len(t, recs, p.want)
		require.Len(t, found, 1+each.Len()*len(recs))
		require.Equal(t, prefix[0], found[0])
		for i, rec := range recs {
			want := make([]Value, each.Len())
			require.NoError(t, each.Find(rec, want))
			require.Equal(t, want, found[1+i*each.Len():1+(i+1)*each.Len()], "record %d", i)
		}
	}

	// Records written into the memory of an earlier page's are those of
	// a fresh read, in that memory when it has room.
	var reuse [][]byte
	for _, p := range append(pages, pages...) {
		fresh, _, err := Compile().RecordsFind([]byte(p.body), CompilePath(p.path), nil, each, nil, nil)
		require.NoError(t, err)
		reuse, _, err = Compile().RecordsFind([]byte(p.body), CompilePath(p.path), nil, each, nil, reuse) // after another page
		require.NoError(t, err)
		require.Equal(t, fresh, reuse)
		again, _, err := Compile().RecordsFind([]byte(p.body), CompilePath(p.path), nil, each, nil, reuse)
		require.NoError(t, err)
		require.Equal(t, fresh, again)
		if len(again) > 0 {
			require.Same(t, &reuse[0], &again[0], "memory of the earlier records not reused")
		}
	}

	// An error leaves found as it was given.
	_, found, err := Compile().RecordsFind([]byte(`[{"id":1},{"id":tru}]`), Path{}, nil, each, nil, nil)
	require.Error(t, err)
	require.Empty(t, found)
}

// TestNeedsUnquote holds the word-at-a-time test to the byte loop, for
// every byte at every position of a word and of the tail.
func TestNeedsUnquote(t *testing.T) {
	t.Parallel()
	naive := func(s []byte) bool {
		for _, c := range s {
			if c == '\\' || c < 0x20 || c >= 0x80 {
				return true
			}
		}
		return false
	}
	for n := range 20 {
		for pos := range n {
			for c := range 256 {
				s := []byte(strings.Repeat("a", n))
				s[pos] = byte(c)
				require.Equal(t, naive(s), needsUnquote(s), "%q", s)
			}
		}
	}
	require.False(t, needsUnquote(nil))
}

func TestMembers(t *testing.T) {
	t.Parallel()
	type member struct {
		key   string
		esc   bool
		value string
	}
	tests := []struct {
		name string
		obj  string
		want []member
		// stop, when set, is the member after which fn returns false.
		stop    int
		wantErr bool
	}{
		{name: "empty", obj: ` { } `, want: nil},
		{name: "members in order", obj: ` { "b" : 1 , "a":"x,}" ,"c":{"d":[1,{"e":2}]},"n":null} `,
			want: []member{{"b", false, "1"}, {"a", false, `"x,}"`}, {"c", false, `{"d":[1,{"e":2}]}`}, {"n", false, "null"}}},
		{name: "escaped key kept as written", obj: `{"\u0069d":"x","q\"":true}`,
			want: []member{{`\u0069d`, true, `"x"`}, {`q\"`, true, "true"}}},
		{name: "duplicates both given", obj: `{"a":1,"a":2}`, want: []member{{"a", false, "1"}, {"a", false, "2"}}},
		{name: "stop", obj: `{"a":1,"b":2,"c":3}`, stop: 2, want: []member{{"a", false, "1"}, {"b", false, "2"}}},
		{name: "array", obj: `[1]`, wantErr: true},
		{name: "empty input", obj: ``, wantErr: true},
		{name: "unterminated", obj: `{"a":1`, wantErr: true},
		{name: "unterminated key", obj: `{"a`, wantErr: true},
		{name: "no colon", obj: `{"a" 1}`, wantErr: true},
		{name: "no value", obj: `{"a":}`, wantErr: true},
		{name: "key not a string", obj: `{a:1}`, wantErr: true},
		{name: "trailing comma", obj: `{"a":1,}`, wantErr: true},
		{name: "after the object", obj: `{"a":1}x`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []member
			err := Members([]byte(tt.obj), func(key []byte, esc bool, value []byte) bool {
				got = append(got, member{string(key), esc, string(value)})
				return len(got) != tt.stop
			})
			if tt.wantErr {
				var se *Error
				require.ErrorAs(t, err, &se)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
