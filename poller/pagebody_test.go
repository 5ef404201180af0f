package poller

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/jsonscan"
	"github.com/a12b7632/elementevents/internal/vocab"
)

// TestSplitRecordsErrors checks that the scanner's errors reach callers
// wrapped in ErrMalformedPage with their offset; the cases of the scanner
// itself are in internal/jsonscan.
func TestSplitRecordsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, path, want string }{
		{``, "", "poller: malformed page: offset 0: unexpected end of input"},
		{`[{"id":1}}]`, "", "poller: malformed page: offset 9: expected ',' or ']' in array, found '}'"},
		{`[{"id":1}] x`, "", "poller: malformed page: offset 11: unexpected 'x' after the top-level value"},
		{`[1]`, "", "poller: malformed page: offset 1: records must be objects"},
		{`{"items":[]}`, "Items", `poller: malformed page: offset 0: records path "Items" not found`},
	}
	for _, tt := range tests {
		recs, err := splitRecords([]byte(tt.body), tt.path)
		require.ErrorIs(t, err, ErrMalformedPage, "%q", tt.body)
		var se *jsonscan.Error
		require.ErrorAs(t, err, &se)
		require.EqualError(t, err, tt.want)
		require.Nil(t, recs)
	}
	recs, err := splitRecords([]byte(`{"Items":[{"a":1}, {"b":2}]}`), "Items")
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte(`{"a":1}`), []byte(`{"b":2}`)}, recs)
}

// TestPageReader reads the next-page and total fields in the pass that
// splits the records.
func TestPageReader(t *testing.T) {
	t.Parallel()
	body := []byte(`{"Items":[{"NextPage":"no"},{"a":[1,{"NextPage":2}]}],"meta":{"total":"12","n":null},"NextPage":"https://x/y"}`)
	tests := []struct {
		path string
		want string // the value as written; "" when absent
	}{
		{"NextPage", `"https://x/y"`},
		{"meta.total", `"12"`},
		{"meta.n", `null`},
		{"meta.absent", ``},
		{"Items.NextPage", ``}, // crosses an array
		{"Items.a", ``},
		{"absent", ``},
	}
	for _, tt := range tests {
		r := newPageReader(element.Pagination{Style: vocab.PaginationNextURL, NextField: tt.path, TotalField: tt.path})
		pb, err := r.read(body, jsonscan.CompilePath("Items"), noFields, nil)
		require.NoError(t, err, tt.path)
		require.Len(t, pb.records, 2)
		require.Equal(t, tt.want, string(pb.fields[pageNext].Raw(pb.bytes)), tt.path)
		require.Equal(t, tt.want, string(pb.fields[pageTotal].Raw(pb.bytes)), tt.path)
	}

	// The next field is read only for the next-url style.
	r := newPageReader(element.Pagination{Style: vocab.PaginationLink, NextField: "NextPage"})
	pb, err := r.read([]byte(`{"r":[],"NextPage":"/2"}`), jsonscan.CompilePath("r"), noFields, nil)
	require.NoError(t, err)
	require.Equal(t, jsonscan.Absent, pb.fields[pageNext].Kind)

	_, err = r.read([]byte(`{"a":[1,`), jsonscan.CompilePath("a"), noFields, nil)
	require.ErrorIs(t, err, ErrMalformedPage)
	require.ErrorContains(t, err, "offset")
}

// TestPageFound checks that what HTTPSource finds in the records as it
// splits a page is what extract finds in each, and that the cycle uses it
// only for its own paths.
// noFields looks up no field in the records.
var noFields = newExtractor("", "", "")

func TestPageFound(t *testing.T) {
	t.Parallel()
	body := []byte(`{"items":[{"id":1,"d":"2026-11-24T12:00:00"},{"x":{"id":2},"id":"a\u00e9","d":null},{"d":5},{"id":{}}],"next":null}`)
	x := newExtractor("id", "d", "")
	pb, err := newPageReader(element.Pagination{}).read(body, jsonscan.CompilePath("items"), x, nil)
	require.NoError(t, err)
	require.Len(t, pb.found, numFields*len(pb.records))
	page := &Page{scanned: pb.scanned(x)}
	for _, rec := range pb.records {
		page.Records = append(page.Records, rec)
	}
	for i, rec := range pb.records {
		found := page.foundIn(i, x)
		require.NotNil(t, found)
		got, gotErr := x.fieldsOf(rec, found)
		want, wantErr := x.extract(rec)
		require.Equal(t, want, got, "record %d", i)
		require.Equal(t, wantErr, gotErr, "record %d", i)
	}
	require.Nil(t, page.foundIn(0, newExtractor("ID", "d", "")), "found for other paths")

	// A Source that wraps HTTPSource and changes the records gets them
	// read again.
	page.Records[1] = []byte(`{"id":3}`)
	require.Nil(t, page.foundIn(1, x), "another record")
	page.Records[1] = pb.records[1][:len(pb.records[1])-1]
	require.Nil(t, page.foundIn(1, x), "a shorter record")
	require.NotNil(t, page.foundIn(0, x))
	page.Records = page.Records[:2]
	require.Nil(t, page.foundIn(0, x), "fewer records")
}
