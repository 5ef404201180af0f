package jsonscan

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// found is a Value as tests write it: its kind and its text (a string
// decoded, anything else as written).
type found struct {
	kind Kind
	text string
}

func foundOf(t *testing.T, doc []byte, v Value) found {
	t.Helper()
	switch v.Kind {
	case String, Number, Bool:
		s, ok := v.Text(doc)
		require.True(t, ok, "text of %s", v.Raw(doc))
		return found{v.Kind, s}
	case Absent:
		require.Nil(t, v.Raw(doc))
		return found{}
	}
	return found{v.Kind, string(v.Raw(doc))}
}

func TestFind(t *testing.T) {
	t.Parallel()
	woo := []string{"id", "date_modified_gmt", "date_created_gmt"}
	nested := []string{"customer.id", "customer.dates.updated", "created"}
	tests := []struct {
		name    string
		paths   []string
		doc     string
		want    []found
		wantErr string // expected in the error, when set
	}{
		{name: "numeric id", paths: woo, doc: `{"id":42,"date_created_gmt":"2026-11-20T10:00:00","date_modified_gmt":"2026-11-24T13:45:07"}`,
			want: []found{{Number, "42"}, {String, "2026-11-24T13:45:07"}, {String, "2026-11-20T10:00:00"}}},
		{name: "numbers as written", paths: []string{"a", "b", "c"}, doc: `{"a":42.0,"b":1e3,"c":-1.5E+3}`,
			want: []found{{Number, "42.0"}, {Number, "1e3"}, {Number, "-1.5E+3"}}},
		{name: "every kind", paths: []string{"s", "n", "t", "f", "z", "o", "a", "x"}, doc: `{"s":"","n":0,"t":true,"f":false,"z":null,"o":{"a":[1]},"a":[{},2]}`,
			want: []found{{String, ""}, {Number, "0"}, {Bool, "true"}, {Bool, "false"}, {Null, "null"}, {Object, `{"a":[1]}`}, {Array, `[{},2]`}, {}}},
		{name: "nested paths", paths: nested, doc: `{"created":"c","customer":{"name":"x","dates":{"updated":"u"},"id":9}}`,
			want: []found{{Number, "9"}, {String, "u"}, {String, "c"}}},
		{name: "look-alikes skipped", paths: nested, doc: `{"id":1,"dates":{"updated":"no"},"customer":{"x":{"id":2},"id":3}}`,
			want: []found{{Number, "3"}, {}, {}}},
		{name: "a path and a path below it", paths: []string{"a", "a.b"}, doc: `{"a":{"b":1}}`, want: []found{{Object, `{"b":1}`}, {Number, "1"}}},
		{name: "arrays are not walked into", paths: []string{"a.b.c", "a.d"}, doc: `{"a":{"b":[1,{"c":"}"}],"d":"x\"y"},"e":-1.5e3}`,
			want: []found{{}, {String, `x"y`}}},
		{name: "through a scalar", paths: []string{"a.b"}, doc: `{"a":"b"}`, want: []found{{}}},
		{name: "empty path never found", paths: []string{"", "id"}, doc: `{"":1,"id":2}`, want: []found{{}, {Number, "2"}}},
		{name: "empty segment", paths: []string{"a..b"}, doc: `{"a":{"":{"b":1}}}`, want: []found{{Number, "1"}}},
		{name: "escaped strings", paths: woo, doc: `{"id":"a\"b\\c\/d\n\u00e9\ud83d\ude00","date_modified_gmt":"2026-11-24T13:45:07\u005a"}`,
			want: []found{{String, "a\"b\\c/d\né😀"}, {String, "2026-11-24T13:45:07Z"}, {}}},
		{name: "raw UTF-8", paths: woo, doc: `{"id":"Müller"}`, want: []found{{String, "Müller"}, {}, {}}},
		{name: "invalid UTF-8 becomes U+FFFD", paths: woo, doc: "{\"id\":\"a\xffb\"}", want: []found{{String, "a\uFFFDb"}, {}, {}}},
		{name: "lone surrogate becomes U+FFFD", paths: woo, doc: `{"id":"a\ud800b"}`, want: []found{{String, "a\uFFFDb"}, {}, {}}},
		{name: "whitespace everywhere", paths: woo, doc: " \n{ \"x\" : [ 1 , { } ] ,\t\"id\" : 5 , \"date_created_gmt\" :\r\"c\" } \n",
			want: []found{{Number, "5"}, {}, {String, "c"}}},
		{name: "brackets and quotes in skipped strings", paths: woo, doc: `{"a":"}\"{","b":["]\\",{"c":"\\\"}"}],"id":3}`, want: []found{{Number, "3"}, {}, {}}},
		{name: "escaped key", paths: woo, doc: `{"\u0069d":7,"date_\u006dodified_gmt":"u"}`, want: []found{{Number, "7"}, {String, "u"}, {}}},
		{name: "escaped look-alike", paths: woo, doc: `{"\u0069dx":7,"id":1}`, want: []found{{Number, "1"}, {}, {}}},
		{name: "non-ASCII path", paths: []string{"ключ.id"}, doc: `{"ключ":{"id":1},"\u043a\u043b\u044e\u0447":{"id":2}}`, want: []found{{Number, "2"}}},
		{name: "invalid UTF-8 key matches U+FFFD", paths: []string{"\uFFFD"}, doc: "{\"\xff\":1}", want: []found{{Number, "1"}}},
		{name: "duplicate: last wins", paths: woo, doc: `{"id":1,"id":2}`, want: []found{{Number, "2"}, {}, {}}},
		{name: "duplicate: null last", paths: woo, doc: `{"id":1,"id":null}`, want: []found{{Null, "null"}, {}, {}}},
		{name: "duplicate parent replaced wholesale", paths: nested, doc: `{"customer":{"id":1,"dates":{"updated":"u"}},"customer":{"id":2}}`,
			want: []found{{Number, "2"}, {}, {}}},
		{name: "duplicate parent replaced by a scalar", paths: nested, doc: `{"customer":{"id":1},"customer":5}`, want: []found{{}, {}, {}}},
		{name: "top level array", paths: woo, doc: `[{"id":1}]`, want: []found{{}, {}, {}}},
		{name: "top level string", paths: woo, doc: `"{\"id\":1}"`, want: []found{{}, {}, {}}},

		{name: "empty", paths: woo, doc: ``, wantErr: "offset 0: unexpected end of input"},
		{name: "unterminated", paths: woo, doc: `{"id":1`, wantErr: "offset 7: unexpected end of input in object"},
		{name: "unterminated skipped value", paths: woo, doc: `{"id":1,"x":[1,{"a":"]"}`, wantErr: "offset 12: unterminated object or array"},
		{name: "unterminated skipped string", paths: woo, doc: `{"x":"abc\"}`, wantErr: "offset 5: unterminated string"},
		{name: "unterminated key", paths: woo, doc: `{"id`, wantErr: "offset 1: unterminated string"},
		{name: "trailing comma", paths: woo, doc: `{"id":1,}`, wantErr: "offset 8: expected a string key"},
		{name: "trailing garbage", paths: woo, doc: `{"id":1} x`, wantErr: "offset 9: unexpected 'x' after the top-level value"},
		{name: "two objects", paths: woo, doc: `{"id":1}{"id":2}`, wantErr: "offset 8"},
		{name: "bare key", paths: woo, doc: `{id:1}`, wantErr: "offset 1"},
		{name: "missing colon", paths: woo, doc: `{"id" 1}`, wantErr: "offset 6: expected ':'"},
		{name: "missing value", paths: woo, doc: `{"id":}`, wantErr: "offset 6: unexpected '}', expected a value"},
		{name: "bad number", paths: woo, doc: `{"id":01}`, wantErr: "offset 7: expected ',' or '}'"},
		{name: "bad skipped number", paths: woo, doc: `{"x":1.,"id":1}`, wantErr: "offset 5: invalid number"},
		{name: "bad skipped literal", paths: woo, doc: `{"x":tru,"id":1}`, wantErr: "offset 5: invalid literal"},
		{name: "bad top-level scalar", paths: woo, doc: `-`, wantErr: "offset 0: invalid number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := Compile(tt.paths...)
			vals := make([]Value, ps.Len())
			err := ps.Find([]byte(tt.doc), vals)
			if tt.wantErr != "" {
				var se *Error
				require.ErrorAs(t, err, &se)
				require.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			got := make([]found, len(vals))
			for i, v := range vals {
				got[i] = foundOf(t, []byte(tt.doc), v)
			}
			require.Equal(t, tt.want, got)

			// FindValid agrees on a valid document.
			valid := make([]Value, ps.Len())
			require.NoError(t, ps.FindValid([]byte(tt.doc), valid))
			require.Equal(t, vals, valid)
		})
	}
}

// TestFindValid holds FindValid to Valid on what Find lets through.
func TestFindValid(t *testing.T) {
	t.Parallel()
	ps := Compile("id", "a.b")
	for _, doc := range []string{
		"{\"id\":\"a\tb\"}", `{"id":"\x"}`, `{"x":"\q","id":1}`, `{"x":[}],"id":1}`, `{"a":{"b":1,"c":[1,]}}`,
		"{\"a\":{\"\x01\":1}}", `{"id":1}`, `{"a":{"b":[` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `]}}`,
	} {
		vals := make([]Value, 2)
		err := ps.FindValid([]byte(doc), vals)
		want := Valid([]byte(doc))
		if want == nil {
			require.NoError(t, err, "%q", doc)
			continue
		}
		require.EqualError(t, err, want.Error(), "%q", doc)
	}
}

func TestFindShortVals(t *testing.T) {
	t.Parallel()
	ps := Compile("a", "b")
	require.ErrorIs(t, ps.Find([]byte(`{}`), make([]Value, 1)), errShortVals)
	require.ErrorIs(t, ps.FindValid([]byte(`{}`), nil), errShortVals)
	_, err := ps.Records([]byte(`[]`), "", nil)
	require.ErrorIs(t, err, errShortVals)
}

func TestCompilePanicsPastMaxPaths(t *testing.T) {
	t.Parallel()
	require.NotPanics(t, func() { Compile(make([]string, maxPaths)...) })
	require.Panics(t, func() { Compile(make([]string, maxPaths+1)...) })
}

// TestFindInBounds runs Find over cut and damaged documents: an error or
// a result, never a panic.
func TestFindInBounds(t *testing.T) {
	t.Parallel()
	ps := Compile("a.d", "e", "g")
	doc := `{"a":{"b":[1,{"c":"}"}],"d":"x\"y"},"e" : -1.5e3 ,"f":[],"g":"\\"}`
	vals := make([]Value, 3)
	for n := range len(doc) {
		_ = ps.Find([]byte(doc[:n]), vals)
		_ = ps.Find([]byte(doc[n:]), vals)
	}
	for _, s := range []string{`{"a`, `{"a":`, `{"a":[1`, `[1,`, `["\`, `{"a"1}`, `[`, `{`, `"`, `{"a":{"d":"\`} {
		require.Error(t, ps.Find([]byte(s), vals), "%q", s)
	}
}
