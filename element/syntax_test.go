package element_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
)

// TestSyntaxErrorUnclosed checks that a body that ends too soon says which
// object or array is left open, by JSON path, and where it began.
func TestSyntaxErrorUnclosed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		want     *element.Unclosed // nil: nothing is open
		wantText string
	}{
		{
			name:     "nested objects",
			body:     `{"configuration": {"event.poller.configuration": {"c": {"url": "/c"`,
			want:     &element.Unclosed{Path: "configuration.event.poller.configuration.c", Kind: "object", Offset: 55, Line: 1, Column: 56},
			wantText: "the object at configuration.event.poller.configuration.c (line 1, column 56) is not closed",
		},
		{
			name: "an array",
			body: "{\"tags\": [\"a\",\n  ",
			want: &element.Unclosed{Path: "tags", Kind: "array", Offset: 9, Line: 1, Column: 10},
		},
		{
			name: "in an array of objects",
			body: `{"a": [{"b": 1}, {"c": [`,
			want: &element.Unclosed{Path: "a[1].c", Kind: "array", Offset: 23, Line: 1, Column: 24},
		},
		{
			name: "in a string",
			body: `{"name": "abc`,
			want: &element.Unclosed{Kind: "object", Line: 1, Column: 1},
		},
		{
			name: "in a key",
			body: "{\n \"configuration\": {\"event.vendor",
			want: &element.Unclosed{Path: "configuration", Kind: "object", Offset: 20, Line: 2, Column: 19},
		},
		{
			name: "after a colon",
			body: `{"configuration": {"a": `,
			want: &element.Unclosed{Path: "configuration", Kind: "object", Offset: 18, Line: 1, Column: 19},
		},
		{
			name: "escaped quotes in keys",
			body: `{"a\"b": {"c\\": [`,
			want: &element.Unclosed{Path: `a"b.c\`, Kind: "array", Offset: 17, Line: 1, Column: 18},
		},
		{name: "a top-level string", body: `"abc`},
		{name: "empty", body: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := element.Parse([]byte(tt.body))
			se, ok := errors.AsType[*element.SyntaxError](err)
			require.True(t, ok, "%v", err)
			require.Equal(t, int64(len(tt.body)), se.Offset, "the error is at the end")
			require.Equal(t, tt.want, se.Unclosed)
			require.ErrorContains(t, err, "unexpected end")
			if tt.want != nil {
				require.ErrorContains(t, err, tt.want.String()+" is not closed")
			}
			if tt.wantText != "" {
				require.ErrorContains(t, err, tt.wantText)
			}
		})
	}
}

// TestSyntaxErrorMissingBraceInside checks that a brace missing in the
// middle of an indented body, which leaves the top-level object open at
// the end, is found by the indentation of the braces after it.
func TestSyntaxErrorMissingBraceInside(t *testing.T) {
	t.Parallel()
	fixed := readTestdata(t, "woocommerce_polling_fixed.json")
	lines := bytes.SplitAfter(fixed, []byte("\n"))
	require.Equal(t, "        }\n", string(lines[22]), "line 23 closes contacts.datesConfiguration")
	broken := bytes.Join(append(lines[:22:22], lines[23:]...), nil)

	_, err := element.Parse(broken)
	se, ok := errors.AsType[*element.SyntaxError](err)
	require.True(t, ok, "%v", err)
	require.Equal(t, &element.Unclosed{Kind: "object", Line: 1, Column: 1}, se.Unclosed)
	require.ErrorContains(t, err, `going by the indentation, the one missing its "}" is the object at `+
		`configuration.event.poller.configuration.contacts.datesConfiguration, begun at line 18`)

	// Without line breaks, indentation says nothing.
	_, err = element.Parse(bytes.ReplaceAll(broken, []byte("\n"), nil))
	require.ErrorContains(t, err, "the top-level object (line 1, column 1) is not closed")
	require.NotContains(t, err.Error(), "indentation")
}

// TestSyntaxErrorUnclosedLarge checks that finding what is open takes time
// linear in the input: a megabyte of closed arrays on one line, then one
// left open.
func TestSyntaxErrorUnclosedLarge(t *testing.T) {
	t.Parallel()
	body := `{"x": [` + strings.Repeat("[],", 1<<18) + `{"deep": [`
	_, err := element.Parse([]byte(body))
	se, ok := errors.AsType[*element.SyntaxError](err)
	require.True(t, ok, "%v", err)
	require.Equal(t, "x[262144].deep", se.Unclosed.Path)
	require.Less(t, len(err.Error()), 1024)
}
