package poller

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

func TestExtract(t *testing.T) {
	t.Parallel()
	woo := [3]string{"id", "date_modified_gmt", "date_created_gmt"}
	nested := [3]string{"customer.id", "customer.dates.updated", "created"}
	tests := []struct {
		name    string
		paths   [3]string
		rec     string
		want    fields // Hash is checked separately
		wantErr error
		wantMsg string // expected in the error, when set
	}{
		{name: "numeric id", paths: woo, rec: `{"id":42,"date_created_gmt":"2026-11-20T10:00:00","date_modified_gmt":"2026-11-24T13:45:07"}`,
			want: fields{ID: "42", Updated: "2026-11-24T13:45:07", Created: "2026-11-20T10:00:00"}},
		{name: "string id", paths: woo, rec: `{"id":"abc"}`, want: fields{ID: "abc"}},
		{name: "float id as written", paths: woo, rec: `{"id":42.0}`, want: fields{ID: "42.0"}},
		{name: "exponent id as written", paths: woo, rec: `{"id":1e3}`, want: fields{ID: "1e3"}},
		{name: "negative exponent id", paths: woo, rec: `{"id":-1.5E+3}`, want: fields{ID: "-1.5E+3"}},
		{name: "zero id", paths: woo, rec: `{"id":0}`, want: fields{ID: "0"}},
		{name: "empty string id", paths: woo, rec: `{"id":""}`, want: fields{ID: ""}},
		{name: "id last", paths: woo, rec: `{"a":{"id":1},"b":["id"],"date_created_gmt":null,"id":7}`, want: fields{ID: "7"}},
		{name: "Concur", paths: [3]string{"ID", "LastModifiedDate", "CreateDate"},
			rec:  `{"Name":"Trip","CreateDate":"2026-11-24T13:45:07.98","LastModifiedDate":"2026-11-25T08:00:00.1","ID":"gWq$pX"}`,
			want: fields{ID: "gWq$pX", Updated: "2026-11-25T08:00:00.1", Created: "2026-11-24T13:45:07.98"}},
		{name: "nested paths", paths: nested, rec: `{"created":"c","customer":{"name":"x","dates":{"updated":"u"},"id":9}}`,
			want: fields{ID: "9", Updated: "u", Created: "c"}},
		{name: "nested path skips look-alikes", paths: nested, rec: `{"id":1,"dates":{"updated":"no"},"customer":{"x":{"id":2},"id":3}}`,
			want: fields{ID: "3"}},
		{name: "null dates", paths: woo, rec: `{"id":1,"date_modified_gmt":null,"date_created_gmt":null}`, want: fields{ID: "1"}},
		{name: "millisecond dates", paths: woo, rec: `{"id":1,"date_modified_gmt":1764000000000,"date_created_gmt":1763000000000}`,
			want: fields{ID: "1", Updated: "1764000000000", Created: "1763000000000"}},
		{name: "dates not extracted", paths: [3]string{"id", "", ""}, rec: `{"id":1,"date_modified_gmt":"x","":"y"}`, want: fields{ID: "1"}},
		{name: "same path twice", paths: [3]string{"id", "d", "d"}, rec: `{"id":1,"d":"x"}`, want: fields{ID: "1", Updated: "x", Created: "x"}},
		{name: "escaped strings", paths: woo, rec: `{"id":"a\"b\\c\/d\n\u00e9\ud83d\ude00","date_modified_gmt":"2026-11-24T13:45:07\u005a"}`,
			want: fields{ID: "a\"b\\c/d\né😀", Updated: "2026-11-24T13:45:07Z"}},
		{name: "raw UTF-8 kept", paths: woo, rec: `{"id":"Müller"}`, want: fields{ID: "Müller"}},
		{name: "invalid UTF-8 becomes U+FFFD", paths: woo, rec: "{\"id\":\"a\xffb\"}", want: fields{ID: "a\uFFFDb"}},
		{name: "lone surrogate becomes U+FFFD", paths: woo, rec: `{"id":"a\ud800b"}`, want: fields{ID: "a\uFFFDb"}},
		{name: "whitespace everywhere", paths: woo, rec: " \n{ \"x\" : [ 1 , { } ] ,\t\"id\" : 5 , \"date_created_gmt\" :\r\"c\" } \n",
			want: fields{ID: "5", Created: "c"}},
		{name: "brackets and quotes in skipped strings", paths: woo, rec: `{"a":"}\"{","b":["]\\",{"c":"\\\"}"}],"id":3}`, want: fields{ID: "3"}},
		{name: "escaped key matches", paths: woo, rec: `{"\u0069d":7}`, want: fields{ID: "7"}},
		{name: "partly escaped key matches", paths: woo, rec: `{"i\u0064":7,"date_\u006dodified_gmt":"u"}`, want: fields{ID: "7", Updated: "u"}},
		{name: "escaped look-alike does not match", paths: woo, rec: `{"\u0069dx":7,"id":1}`, want: fields{ID: "1"}},
		{name: "non-ASCII path", paths: [3]string{"ключ.id", "", ""}, rec: `{"ключ":{"id":1},"\u043a\u043b\u044e\u0447":{"id":2}}`, want: fields{ID: "2"}},
		{name: "duplicate id: last wins", paths: woo, rec: `{"id":1,"id":2}`, want: fields{ID: "2"}},
		{name: "duplicate id: bad then good", paths: woo, rec: `{"id":{"x":1},"id":"ok"}`, want: fields{ID: "ok"}},
		{name: "duplicate date: last wins", paths: woo, rec: `{"id":1,"date_modified_gmt":"a","date_modified_gmt":null}`, want: fields{ID: "1"}},
		{name: "duplicate parent: replaced wholesale", paths: nested, rec: `{"customer":{"id":1,"dates":{"updated":"u"}},"customer":{"id":2}}`, want: fields{ID: "2"}},
		{name: "parent through a scalar", paths: nested, rec: `{"customer":{"id":1,"dates":"u"}}`, want: fields{ID: "1"}},

		{name: "missing id", paths: woo, rec: `{"date_modified_gmt":"u"}`, wantErr: ErrMalformedPage, wantMsg: `no id at "id"`},
		{name: "null id", paths: woo, rec: `{"id":null}`, wantErr: ErrMalformedPage, wantMsg: `no id at "id"`},
		{name: "empty object", paths: woo, rec: `{}`, wantErr: ErrMalformedPage},
		{name: "duplicate id: good then null", paths: woo, rec: `{"id":1,"id":null}`, wantErr: ErrMalformedPage},
		{name: "duplicate parent loses the id", paths: nested, rec: `{"customer":{"id":1},"customer":{"name":"x"}}`, wantErr: ErrMalformedPage},
		{name: "parent is a scalar", paths: nested, rec: `{"customer":5}`, wantErr: ErrMalformedPage},
		{name: "parent is an array", paths: nested, rec: `{"customer":[{"id":1}]}`, wantErr: ErrMalformedPage},
		{name: "object id", paths: woo, rec: `{"id":{"value":1}}`, wantErr: ErrMalformedPage, wantMsg: `offset 6: value at "id" must be a string or a number`},
		{name: "bool id", paths: woo, rec: `{"id":true}`, wantErr: ErrMalformedPage},
		{name: "array id", paths: woo, rec: `{"id":[1]}`, wantErr: ErrMalformedPage},
		{name: "bool date", paths: woo, rec: `{"id":1,"date_created_gmt":false}`, wantErr: ErrMalformedPage, wantMsg: `"date_created_gmt"`},
		{name: "no id path", paths: [3]string{"", "d", ""}, rec: `{"id":1}`, wantErr: ErrMalformedPage},
		{name: "array record", paths: woo, rec: `[{"id":1}]`, wantErr: ErrMalformedPage, wantMsg: "records must be objects"},
		{name: "number record", paths: woo, rec: `1`, wantErr: ErrMalformedPage},
		{name: "string record", paths: woo, rec: `"{\"id\":1}"`, wantErr: ErrMalformedPage},
		{name: "empty record", paths: woo, rec: ``, wantErr: ErrMalformedPage},
		{name: "unterminated", paths: woo, rec: `{"id":1`, wantErr: ErrMalformedPage},
		{name: "unterminated skipped value", paths: woo, rec: `{"id":1,"x":[1,{"a":"]"}`, wantErr: ErrMalformedPage},
		{name: "unterminated skipped string", paths: woo, rec: `{"x":"abc\"}`, wantErr: ErrMalformedPage},
		{name: "unterminated key", paths: woo, rec: `{"id`, wantErr: ErrMalformedPage},
		{name: "trailing comma", paths: woo, rec: `{"id":1,}`, wantErr: ErrMalformedPage},
		{name: "trailing garbage", paths: woo, rec: `{"id":1} x`, wantErr: ErrMalformedPage, wantMsg: "offset 9"},
		{name: "two records", paths: woo, rec: `{"id":1}{"id":2}`, wantErr: ErrMalformedPage},
		{name: "bare key", paths: woo, rec: `{id:1}`, wantErr: ErrMalformedPage},
		{name: "missing colon", paths: woo, rec: `{"id" 1}`, wantErr: ErrMalformedPage},
		{name: "missing value", paths: woo, rec: `{"id":}`, wantErr: ErrMalformedPage},
		{name: "bad number id", paths: woo, rec: `{"id":01}`, wantErr: ErrMalformedPage},
		{name: "bad skipped number", paths: woo, rec: `{"x":1.,"id":1}`, wantErr: ErrMalformedPage},
		{name: "bad skipped literal", paths: woo, rec: `{"x":tru,"id":1}`, wantErr: ErrMalformedPage},
		{name: "bad escape in id", paths: woo, rec: `{"id":"a\qb"}`, wantErr: ErrMalformedPage, wantMsg: `offset 7: invalid string at "id"`},
		{name: "control character in id", paths: woo, rec: "{\"id\":\"a\tb\"}", wantErr: ErrMalformedPage},
		{name: "truncated unicode escape in date", paths: woo, rec: `{"id":1,"date_created_gmt":"\u12"}`, wantErr: ErrMalformedPage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := newExtractor(tt.paths[0], tt.paths[1], tt.paths[2])
			got, err := x.extract([]byte(tt.rec))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.Contains(t, err.Error(), tt.wantMsg)
				require.Equal(t, fields{}, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, recordHash([]byte(tt.rec)), got.Hash)
			got.Hash = 0
			require.Equal(t, tt.want, got)
		})
	}
}

// TestRecordHash pins the hash: it is persisted, so a change here breaks
// every stored state and must be a deliberate migration.
func TestRecordHash(t *testing.T) {
	t.Parallel()
	rec := []byte(`{"id":42,"date_created_gmt":"2026-11-20T10:00:00","date_modified_gmt":"2026-11-24T13:45:07","email":"a@example.com"}`)
	// CRC-32C in the high half, CRC-32 (zlib's crc32) in the low half;
	// reproduced outside Go with Python's zlib and a bitwise CRC-32C.
	const want = 0x7598db0aaca056ff
	require.Equal(t, uint64(want), recordHash(rec), "got %#x", recordHash(rec))
	require.Equal(t, uint64(0), recordHash(nil))

	got, err := newExtractor("id", "", "").extract(rec)
	require.NoError(t, err)
	require.Equal(t, uint64(want), got.Hash)

	// Every change to one byte changes the hash (CRC guarantees it for any
	// burst of up to 32 bits), as do insertions and deletions.
	seen := map[uint64]bool{recordHash(rec): true}
	mut := bytes.Clone(rec)
	for i := range mut {
		for _, delta := range []byte{1, 0x20, 0x80, 0xff} {
			mut[i] ^= delta
			h := recordHash(mut)
			require.False(t, seen[h], "byte %d ^ %#x collides", i, delta)
			seen[h] = true
			mut[i] ^= delta
		}
		require.NotEqual(t, recordHash(rec), recordHash(append(bytes.Clone(rec[:i]), rec[i+1:]...)), "delete %d", i)
	}
	require.NotEqual(t, recordHash(rec), recordHash(append(bytes.Clone(rec), ' ')))
}

// TestExtractMatchesEncodingJSON is a property test: over generated
// records, what extract returns (or refuses) is what encoding/json decodes
// into a map[string]any (with UseNumber, so numbers keep their text).
// splitRecords must also hand back the generated records byte for byte.
func TestExtractMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	pathSets := [][3]string{
		{"id", "date_modified_gmt", "date_created_gmt"},
		{"customer.id", "customer.updated", "created"},
		{"ID", "LastModifiedDate", ""},
	}
	var page bytes.Buffer
	var recs []string
	page.WriteString(`{"Items":[`)
	for n := range 5000 {
		rec := genTestRecord(rng)
		recs = append(recs, rec)
		if n > 0 {
			page.WriteString(", ")
		}
		page.WriteString(rec)
		require.True(t, json.Valid([]byte(rec)), "generator made invalid JSON: %s", rec)
		for _, ps := range pathSets {
			x := newExtractor(ps[0], ps[1], ps[2])
			got, err := x.extract([]byte(rec))
			want, wantOK := oracleFields(t, []byte(rec), ps)
			if !wantOK {
				require.ErrorIs(t, err, ErrMalformedPage, "record %s, paths %v: want an error, got %+v", rec, ps, got)
				continue
			}
			require.NoError(t, err, "record %s, paths %v", rec, ps)
			want.Hash = recordHash([]byte(rec))
			require.Empty(t, cmp.Diff(want, got), "record %s, paths %v", rec, ps)
		}
	}
	page.WriteString(`],"NextPage":null}`)
	got, err := splitRecords(page.Bytes(), "Items")
	require.NoError(t, err)
	require.Len(t, got, len(recs))
	for i := range recs {
		require.Equal(t, recs[i], string(got[i]))
	}
}

// oracleFields is the oracle: the fields as encoding/json sees
// them, and whether extract should succeed.
func oracleFields(t testing.TB, rec []byte, paths [3]string) (fields, bool) {
	v, err := oracleDecode(rec)
	if err != nil {
		return fields{}, false
	}
	m, ok := v.(map[string]any)
	if !ok || paths[0] == "" {
		return fields{}, false
	}
	var out [3]string
	for f, p := range paths {
		if p == "" {
			continue
		}
		switch v := oracleLookup(m, p).(type) {
		case nil:
			if f == fieldID {
				return fields{}, false
			}
		case string:
			out[f] = v
		case json.Number:
			out[f] = string(v)
		default:
			return fields{}, false
		}
	}
	return fields{ID: out[0], Updated: out[1], Created: out[2]}, true
}

// oracleLookup follows a dotted path through decoded maps; nil if absent.
func oracleLookup(v any, path string) any {
	for seg := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[seg]
	}
	return v
}

func oracleDecode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return v, nil
}

// genTestRecord writes a random record that exercises what extract must agree
// on: keys on and off the paths (some escaped, some repeated), every kind
// of value, escapes and odd UTF-8 in strings, and nesting.
func genTestRecord(rng *rand.Rand) string {
	var b strings.Builder
	genTestObject(rng, &b, 0)
	return b.String()
}

var genTestKeys = []string{
	`id`, `ID`, `customer`, `updated`, `created`, `date_modified_gmt`, `date_created_gmt`, `LastModifiedDate`,
	`\u0069d`, `i\u0064`, `\u0049D`, `cust\u006fmer`, `idx`, `Id`, `name`, `meta_data`, `\"id\"`,
}

func genTestObject(rng *rand.Rand, b *strings.Builder, depth int) {
	b.WriteByte('{')
	for i := range rng.IntN(7) {
		if i > 0 {
			b.WriteByte(',')
		}
		if rng.IntN(10) == 0 {
			b.WriteString(" \n")
		}
		b.WriteString(`"` + genTestKeys[rng.IntN(len(genTestKeys))] + `":`)
		genTestValue(rng, b, depth+1)
	}
	b.WriteByte('}')
}

func genTestValue(rng *rand.Rand, b *strings.Builder, depth int) {
	k := rng.IntN(10)
	if depth > 3 && k >= 7 {
		k = 0
	}
	switch k {
	case 0, 1:
		b.WriteString(strconv.Itoa(rng.IntN(2000) - 100))
	case 2:
		b.WriteString([]string{`1e3`, `42.0`, `-0`, `0.5E-7`, `1764000000000`, `-12.25e+2`, `18446744073709551616`}[rng.IntN(7)])
	case 3, 4:
		genTestString(rng, b)
	case 5:
		b.WriteString([]string{`null`, `true`, `false`}[rng.IntN(3)])
	case 6:
		b.WriteString(`null`)
	case 7, 8:
		genTestObject(rng, b, depth)
	case 9:
		b.WriteByte('[')
		for i := range rng.IntN(4) {
			if i > 0 {
				b.WriteByte(',')
			}
			genTestValue(rng, b, depth+1)
		}
		b.WriteByte(']')
	}
}

func genTestString(rng *rand.Rand, b *strings.Builder) {
	pieces := []string{
		`2026-11-24T13:45:07`, `abc`, `gWq$p`, ` `, `\"`, `\\`, `\/`, `\n`, `\t`, `\u00e9`, `\u0000`,
		`\ud83d\ude00`, `\ud800`, `\udc00x`, `\ud800\u0041`, `é`, "\xff", "\xed\xa0\x80", `]}`, `{[`, `\\\"`,
	}
	b.WriteByte('"')
	for range rng.IntN(5) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	b.WriteByte('"')
}
