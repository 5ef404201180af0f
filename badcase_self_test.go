package elementevents_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBadCaseFormat checks the case-file reader that TestBadInput relies
// on, so that a reader bug cannot make every case pass vacuously.
func TestBadCaseFormat(t *testing.T) {
	t.Parallel()
	t.Run("expressions", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			expr    string
			want    string
			wantErr string
		}{
			{expr: `"abc"`, want: "abc"},
			{expr: `"a"*3 "b"`, want: "aaab"},
			{expr: "`raw\\n` \"\\x00\\xff\"", want: "raw\\n\x00\xff"},
			{expr: `"["*1_000 "]"*0`, want: strings.Repeat("[", 1000)},
			{expr: `""`, want: ""},
			{expr: ``, wantErr: "empty expression"},
			{expr: `abc`, wantErr: "want a string literal"},
			{expr: `"abc`, wantErr: "unterminated"},
			{expr: `"a"*-1`, wantErr: "non-negative"},
			{expr: `"a""b"`, wantErr: "want a space"},
			{expr: `"a"*100_000_000`, wantErr: "more than"},
		} {
			got, err := evalExpr(tt.expr)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr, "expression %s", tt.expr)
				continue
			}
			require.NoError(t, err, "expression %s", tt.expr)
			require.Equal(t, tt.want, string(got), "expression %s", tt.expr)
		}
	})
	t.Run("files", func(t *testing.T) {
		t.Parallel()
		c, err := parseBadCase("x/y", "handler", []byte("# comment\nwhy: test\nheader: X-A \"1\"*2\nwant.status: 400\nwant.is: webhook.ErrBadBody\n---\n{\"a\":\n---\n}\n"))
		require.NoError(t, err)
		require.Equal(t, "{\"a\":\n---\n}", string(c.body), "the body runs to the end, less one newline")
		require.Equal(t, []badHeader{{name: "X-A", value: []byte("11")}}, c.headers)
		require.Equal(t, 400, c.wantStatus)
		require.Equal(t, []string{"webhook.ErrBadBody"}, c.wantIs)
		require.Equal(t, -1, c.wantEvents)

		for _, tt := range []struct{ file, wantErr string }{
			{"why: x\nwant.statuss: 400\n", "unknown directive"},
			{"want.status: 400\n", "no \"why:\""},
			{"why: x\n", "no expectation"},
			{"why: x\nwant.ok: true\nwant.is: element.ErrSyntax\n", "contradicts"},
			{"why: x\nwant.ok: true\nbody: \"a\"\n---\nb\n", "has a body already"},
			{"why: x\nno colon here\n", "want \"key: value\""},
		} {
			_, err := parseBadCase("x/y", "instance", []byte(tt.file))
			require.ErrorContains(t, err, tt.wantErr, "file %q", tt.file)
		}
	})
}

// leakRecorder records what goroutinesSettle reports.
type leakRecorder struct{ failed string }

func (r *leakRecorder) Helper() {}
func (r *leakRecorder) Errorf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

// TestGoroutinesSettle checks that the leak check of TestBadInput sees a
// goroutine left running, and passes once it stops.
func TestGoroutinesSettle(t *testing.T) {
	before := runtime.NumGoroutine()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-stop
	}()
	r := &leakRecorder{}
	goroutinesSettle(r, before, 50*time.Millisecond)
	require.Contains(t, r.failed, "goroutine leak", "a blocked goroutine is a leak")
	require.Contains(t, r.failed, "TestGoroutinesSettle", "the report shows the leaked goroutine's stack")

	close(stop)
	<-done
	r = &leakRecorder{}
	goroutinesSettle(r, before, 2*time.Second)
	require.Empty(t, r.failed, "no leak once the goroutine has stopped")
}
