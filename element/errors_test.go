package element_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/javatime"
)

// huge is an outside value far longer than any error should be.
var huge = strings.Repeat("w", 1<<20)

// TestErrorsDoNotEchoHugeValues checks that an error about a huge value
// stays short, names where the value came from, and shows a cut of it with
// its length.
func TestErrorsDoNotEchoHugeValues(t *testing.T) {
	t.Parallel()
	instance := func(config string) func() error {
		return func() error {
			_, err := element.Parse([]byte(`{"element": {"key": "generic"}, "configuration": {"base.url": "https://api.example", ` + config + `}}`))
			return err
		}
	}
	validated := func(config string) func() error {
		return func() error {
			inst, err := element.Parse([]byte(`{"element": {"key": "generic"}, "configuration": {"base.url": "https://api.example", ` + config + `}}`))
			if err != nil {
				return err
			}
			return inst.Validate()
		}
	}
	resource := func(fields string) string {
		return `"event.vendor.type": "polling", "event.poller.configuration": {"items": {"url": "/items", "idField": "id", ` + fields + `}}`
	}
	dates := func(fields string) string {
		return resource(`"datesConfiguration": {"updatedDateField": "u", ` + fields + `}`)
	}
	n := len(huge)
	tests := []struct {
		name     string
		run      func() error
		wantErr  error
		wantText []string
	}{
		{"vendor type", instance(`"event.vendor.type": "` + huge + `"`), element.ErrInvalid,
			[]string{"event.vendor.type: must be webhook or polling, got \"wwww", fmt.Sprintf("…(%d bytes)", n)}},
		{"boolean", instance(`"event.notification.enabled": "` + huge + `"`), element.ErrInvalid,
			[]string{"event.notification.enabled: must be true or false", "bytes)"}},
		{"whole number", instance(resource(`"pageSize": "` + huge + `"`)), element.ErrInvalid,
			[]string{"items.pageSize: must be a whole number", "bytes)"}},
		{"number", instance(`"event.poller.refresh_interval": "` + huge + `"`), element.ErrInvalid,
			[]string{"event.poller.refresh_interval: must be a number", "bytes)"}},
		{"number out of range", instance(`"event.poller.refresh_interval": 1` + strings.Repeat("0", 300)), element.ErrInvalid,
			[]string{"event.poller.refresh_interval: is out of range", "…(301 bytes)"}},
		{"number out of float64's range", instance(`"event.poller.refresh_interval": 1` + strings.Repeat("0", n)), element.ErrInvalid,
			[]string{"event.poller.refresh_interval: is out of range", fmt.Sprintf("…(%d bytes)", n+1)}},
		{"legacy urls", instance(`"event.poller.urls": "` + huge + `"`), element.ErrInvalid,
			[]string{"event.poller.urls", "bytes)"}},
		{"resource name", instance(`"event.poller.configuration": {"` + huge + `": 5}`), element.ErrInvalid,
			[]string{"event.poller.configuration.wwww", "bytes): must be an object"}},
		{"element key", validated(`"x": 1}, "element": {"key": "` + huge + `"`), element.ErrUnknownElement,
			[]string{"element.key: unknown element \"wwww", "bytes)"}},
		{"date format", validated(dates(`"updatedDateFormat": "` + strings.Repeat("y", n) + `'"`)), javatime.ErrPattern,
			[]string{"updatedDateFormat", "yyyy", "bytes)"}},
		{"time zone", validated(dates(`"updatedDateTimezone": "` + huge + `"`)), javatime.ErrZone,
			[]string{"updatedDateTimezone", "bytes)"}},
		{"url placeholder", validated(`"event.vendor.type": "polling", "event.poller.configuration": {"items": {"url": "/items?x=${` + huge + `}", "idField": "id"}}`),
			element.ErrPlaceholder, []string{"items.url", "${wwww", "bytes) at position 9: unknown placeholder"}},
		{"url unterminated", validated(`"event.vendor.type": "polling", "event.poller.configuration": {"items": {"url": "/x?${` + huge + `", "idField": "id"}}`),
			element.ErrPlaceholder, []string{"unterminated", "bytes)"}},
		{"url epoch unit", validated(`"event.vendor.type": "polling", "event.poller.configuration": {"items": {"url": "/x?${epoch:` + huge + `}", "idField": "id"}}`),
			element.ErrPlaceholder, []string{"unknown epoch unit \"wwww", "bytes)"}},
		{"template", func() error {
			_, err := (&element.Definition{BaseURL: "{" + huge + "}"}).ExpandBaseURL(func(string) (string, bool) { return "", false })
			return err
		}, element.ErrInvalid, []string{"wwww", "bytes): is missing; the template \"{wwww"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.run()
			require.Error(t, err)
			msg := err.Error()
			require.Less(t, len(msg), 1024, "the error does not echo the value: %.300q", msg)
			require.ErrorIs(t, err, tt.wantErr)
			for _, s := range tt.wantText {
				require.Contains(t, msg, s)
			}
		})
	}
}

// TestValidationErrorListsAtMost50 checks that an instance with thousands
// of problems gives an error of bounded length that counts the rest.
func TestValidationErrorListsAtMost50(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, `, "f%04d": 1`, i)
	}
	_, err := element.Parse([]byte(`{"element": {"key": "generic"}, "configuration": {"event.poller.configuration": {"items": {"url": "/x", "idField": "id"` + b.String() + `}}}}`))
	var ve *element.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Problems, 5000, "Problems keeps them all")
	msg := err.Error()
	require.Contains(t, msg, "5000 problems:")
	require.Equal(t, 50, strings.Count(msg, "unknown field"))
	require.True(t, strings.HasSuffix(msg, "\n  ... and 4950 more"), "%.300q", msg[len(msg)-100:])
}

// TestSyntaxErrorPosition checks that a SyntaxError points at the byte
// that is wrong, not one past it, and at the end of a truncated input.
func TestSyntaxErrorPosition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		body         string
		wantOffset   int64
		wantLine     int
		wantColumn   int
		wantByteText string // the byte at the offset; "" at the end
	}{
		{"unquoted value", `{"element": x}`, 12, 1, 13, "x"},
		{"missing colon", `{"id" 1}`, 6, 1, 7, "1"},
		{"trailing comma", `{"tags": [1,]}`, 12, 1, 13, "]"},
		{"bad escape", `{"name": "a\q"}`, 12, 1, 13, "q"},
		{"control character in a string", "{\"name\": \"a\x01\"}", 11, 1, 12, "\x01"},
		{"on a later line", "{\n  \"id\": 1,\n  \"name\": }", 23, 3, 11, "}"},
		{"first byte", `x`, 0, 1, 1, "x"},
		{"trailing garbage", `{} x`, 3, 1, 4, "x"},
		{"truncated: at the end", `{"configuration": {"a": `, 24, 1, 25, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := element.Parse([]byte(tt.body))
			var se *element.SyntaxError
			require.True(t, errors.As(err, &se), "got %v", err)
			require.Equal(t, tt.wantOffset, se.Offset)
			require.Equal(t, tt.wantLine, se.Line)
			require.Equal(t, tt.wantColumn, se.Column)
			require.Equal(t, tt.wantByteText, tt.body[se.Offset:min(se.Offset+1, int64(len(tt.body)))], "the offset points at the culprit")
			require.ErrorContains(t, err, fmt.Sprintf("line %d, column %d (byte %d)", tt.wantLine, tt.wantColumn, tt.wantOffset))
		})
	}
}

// TestDecodeIntRange checks that a whole number too large for an int is
// reported as out of range, not as not a number.
func TestDecodeIntRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pageSize string
		wantMsg  string // "" for no problem
	}{
		{"fits", `100`, ""},
		{"largest int64", `9223372036854775807`, ""},
		{"string", `"25"`, ""},
		{"one past int64", `9223372036854775808`, "is out of range, got \"9223372036854775808\""},
		{"10^20", `100000000000000000000`, "is out of range, got \"100000000000000000000\""},
		{"-10^20 in a string", `"-100000000000000000000"`, "is out of range"},
		{"fraction", `2.5`, "must be a whole number, got \"2.5\""},
		{"words", `"ten"`, "must be a whole number, got \"ten\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := element.Parse([]byte(`{"element": {"key": "generic"}, "configuration": {"event.poller.configuration": {"items": {"url": "/x", "idField": "id", "pageSize": ` + tt.pageSize + `}}}}`))
			if tt.wantMsg == "" {
				require.NoError(t, err)
				return
			}
			var p *element.Problem
			require.ErrorAs(t, err, &p)
			require.Equal(t, "event.poller.configuration.items.pageSize", p.Path)
			require.Contains(t, p.Message, tt.wantMsg)
		})
	}
}
