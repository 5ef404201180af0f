package javatime_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/javatime"
)

func TestPatternError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern    string
		wantPos    int
		wantLetter byte
	}{
		{"yyyy-MM-ddTHH", 10, 'T'},
		{"yyyy-MM-dd hh:mm:ss.fff", 20, 'f'},
		{"XXXX", 0, 'X'},
		{"yyyy-MM-dd'T'HH:mm:ss'", 21, '\''},
		{"", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			_, err := javatime.NewLayout(tt.pattern, "")
			var pe *javatime.PatternError
			require.ErrorAs(t, err, &pe)
			require.ErrorIs(t, err, javatime.ErrPattern)
			require.NotErrorIs(t, err, javatime.ErrParse)
			require.Equal(t, tt.pattern, pe.Pattern)
			require.Equal(t, tt.wantPos, pe.Pos)
			require.Equal(t, tt.wantLetter, pe.Letter)
		})
	}
}

func TestParseError(t *testing.T) {
	t.Parallel()
	l, err := javatime.NewLayout("yyyy-MM-dd", "")
	require.NoError(t, err)
	_, err = l.Parse("2026/01/02")
	var pe *javatime.ParseError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, javatime.ErrParse)
	require.NotErrorIs(t, err, javatime.ErrPattern)
	require.Equal(t, javatime.ParseError{Value: "2026/01/02", Pattern: "yyyy-MM-dd", Pos: 4}, withoutReason(*pe))
	require.EqualError(t, err, `javatime: cannot parse "2026/01/02" with pattern "yyyy-MM-dd" at position 4: want "-"`)

	_, err = l.Parse("2026-02-30")
	require.ErrorAs(t, err, &pe)
	require.Equal(t, -1, pe.Pos, "the fields matched but make no date")
}

// withoutReason drops the unexported reason so that the rest compares.
func withoutReason(e javatime.ParseError) javatime.ParseError {
	return javatime.ParseError{Value: e.Value, Pattern: e.Pattern, Pos: e.Pos}
}

// TestErrorsDoNotEchoHugeValues checks that an error about a huge value
// stays short and shows a cut of it with its length.
func TestErrorsDoNotEchoHugeValues(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("w", 1<<20)
	n := len(huge)
	parse := func(pattern, value string) func() error {
		return func() error {
			l, err := javatime.NewLayout(pattern, "")
			require.NoError(t, err)
			_, err = l.Parse(value)
			return err
		}
	}
	tests := []struct {
		name     string
		run      func() error
		wantErr  error
		wantText []string
	}{
		{"date value", parse("yyyy-MM-dd", "2026-11-24"+huge), javatime.ErrParse,
			[]string{`"2026-11-24wwww`, fmt.Sprintf("…(%d bytes) with pattern \"yyyy-MM-dd\" at position 10: unexpected trailing text", n+10)}},
		{"epoch value", parse("milliseconds", strings.Repeat("9", n)), javatime.ErrParse, []string{"out of range", "bytes)"}},
		{"pattern literal", parse("yyyy'"+huge+"'", "2026x"), javatime.ErrParse, []string{"want \"wwww", "bytes)"}},
		{"pattern", func() error { _, err := javatime.NewLayout(strings.Repeat("y", n)+"'", ""); return err }, javatime.ErrPattern,
			[]string{"unterminated quote", "yyyy", "bytes)"}},
		{"zone name", func() error { _, err := javatime.LoadLocation("+" + huge); return err }, javatime.ErrZone,
			[]string{"\"+wwww", "bytes): want an offset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.run()
			require.Error(t, err)
			msg := err.Error()
			require.Less(t, len(msg), 1024, "the error does not echo the value: %.300q", msg)
			require.True(t, errors.Is(err, tt.wantErr), "%v is not %v", err, tt.wantErr)
			for _, s := range tt.wantText {
				require.Contains(t, msg, s)
			}
		})
	}
}
