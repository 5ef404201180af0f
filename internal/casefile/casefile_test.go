package casefile_test

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/casefile"
)

func TestParseArchive(t *testing.T) {
	t.Parallel()
	type file = casefile.File
	for _, tt := range []struct {
		name    string
		in      string
		comment string
		files   []file
	}{
		{name: "empty", in: "", comment: ""},
		{name: "comment only, newline added", in: "why: x", comment: "why: x\n"},
		{name: "files", in: "c\n-- a --\n1\n2\n-- b --\n3\n",
			comment: "c\n", files: []file{{"a", []byte("1\n2\n")}, {"b", []byte("3\n")}}},
		{name: "last file gets its newline", in: "-- a --\n1", files: []file{{"a", []byte("1\n")}}},
		{name: "empty file", in: "-- a --\n-- b --\nx\n", files: []file{{"a", nil}, {"b", []byte("x\n")}}},
		{name: "marker without newline at the end", in: "c\n-- a --", comment: "c\n", files: []file{{"a", nil}}},
		{name: "name trimmed", in: "--   a b   --\n", files: []file{{"a b", nil}}},
		{name: "not markers", in: "-- a\n--a --\n -- a --\nx -- a --\n-- --\n--  --\n",
			comment: "-- a\n--a --\n -- a --\nx -- a --\n-- --\n--  --\n"},
		{name: "marker-like text inside a file", in: "-- a --\n--- x ---\n", files: []file{{"a", []byte("--- x ---\n")}}},
		{name: "carriage returns kept", in: "-- a --\r\nx\r\n", comment: "-- a --\r\nx\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := casefile.ParseArchive([]byte(tt.in))
			require.Equal(t, tt.comment, string(a.Comment), "comment")
			require.Len(t, a.Files, len(tt.files))
			for i, f := range tt.files {
				require.Equal(t, f.Name, a.Files[i].Name)
				require.Equal(t, string(f.Data), string(a.Files[i].Data), "file %s", f.Name)
			}
		})
	}
}

var errTest = errors.New("test sentinel")

type testError struct{}

func (testError) Error() string { return "test error" }

func testSuite() *casefile.Suite {
	return &casefile.Suite{
		Settings: []string{"sign"},
		Files:    []string{"body", "headers"},
		Is:       map[string]error{"x.ErrTest": errTest},
		As:       []casefile.ErrType{casefile.TypeOf[*testError]()},
		Secrets:  []string{"s3cret"},
	}
}

func TestParseCase(t *testing.T) {
	t.Parallel()
	s := testSuite()
	c, err := s.ParseCase("x", []byte("# remark\nwhy: test\nsign: woo\nwant.status: 400\nwant.is: x.ErrTest\n"+
		"want.as: *casefile_test.testError\nwant.events: 0\nwant.value:\n"+
		"-- headers --\nX-A: 1\nX-A:2\n\n-- body --\n{\"a\":\n-- x\n}\n"))
	require.NoError(t, err)
	require.Equal(t, "test", c.Why)
	require.Equal(t, "woo", c.Setting("sign", "none"))
	require.Equal(t, "POST", c.Setting("method", "POST"))
	require.Equal(t, "{\"a\":\n-- x\n}", string(c.Files["body"]), "the body, less its final newline")
	require.Equal(t, 400, c.Want.Status)
	require.Equal(t, []error{errTest}, c.Want.Is)
	require.Len(t, c.Want.As, 1)
	require.True(t, c.Want.As[0].Match(fmt.Errorf("wrapped: %w", &testError{})))
	require.Equal(t, new(0), c.Want.Events)
	require.Equal(t, new(""), c.Want.Value, "an empty want.value is a value")
	hs, err := c.Headers("headers")
	require.NoError(t, err)
	require.Equal(t, []casefile.Header{{"X-A", "1"}, {"X-A", "2"}}, hs)

	c, err = s.ParseCase("y", []byte("why: y\nwant.ok: true\n-- body --\n-- headers --\n"))
	require.NoError(t, err)
	body, ok := c.File("body")
	require.True(t, ok, "an empty section is an input")
	require.Empty(t, body)
	require.Nil(t, c.Want.Events, "want.events not given: not checked")

	for _, tt := range []struct{ file, wantErr string }{
		{"why: x\nwant.statuss: 400\n", "unknown key"},
		{"want.status: 400\n", `no "why:"`},
		{"why: x\n", "no expectation"},
		{"why: x\nwant.ok: true\nwant.is: x.ErrTest\n", "contradicts"},
		{"why: x\nwhy: y\nwant.ok: true\n", "given twice"},
		{"why: x\nsign: a\nsign: b\nwant.ok: true\n", "given twice"},
		{"why: x\nno colon here\n", `want "key: value"`},
		{"why: x\nwant.is: x.ErrOther\n", "not among the Suite's sentinels"},
		{"why: x\nwant.as: *x.Other\n", "not among the Suite's error types"},
		{"why: x\nwant.field: a.b\n", "checks no fields"},
		{"why: x\nwant.status: four\n", "invalid syntax"},
		{"why: x\nwant.ok: true\n-- bdy --\n", `section "bdy": unknown`},
		{"why: x\nwant.ok: true\n-- body --\n-- body --\n", "given twice"},
	} {
		_, err := s.ParseCase("x", []byte(tt.file))
		require.ErrorContains(t, err, tt.wantErr, "file %q", tt.file)
	}

	c, err = s.ParseCase("z", []byte("why: z\nwant.ok: true\n-- headers --\nno colon\n"))
	require.NoError(t, err)
	_, err = c.Headers("headers")
	require.ErrorContains(t, err, `want "Name: value"`)
}

func TestValidateGoCase(t *testing.T) {
	t.Parallel()
	s := testSuite()
	require.NoError(t, s.Validate(&casefile.Case{Name: "a", Why: "w", Want: casefile.Want{Is: []error{errTest}}}))
	require.ErrorContains(t, s.Validate(&casefile.Case{Name: "a", Why: "w", Want: casefile.Want{OK: true},
		Files: map[string][]byte{"bdy": nil}}), "unknown section")
	require.ErrorContains(t, s.Validate(&casefile.Case{Name: "a", Why: "w", Want: casefile.Want{OK: true},
		Set: map[string]string{"sgn": ""}}), "unknown key")
	require.ErrorContains(t, s.Validate(&casefile.Case{Why: "w", Want: casefile.Want{OK: true}}), "no name")
}

func TestLoad(t *testing.T) {
	t.Parallel()
	s := testSuite()
	s.Dir = "testdata/ok"
	cases, err := s.Load()
	require.NoError(t, err)
	require.Len(t, cases, 2)
	require.Equal(t, "a-case", cases[0].Name)
	require.Equal(t, `{"a": 1}`, string(cases[0].Files["body"]))

	s.Dir = "testdata/broken"
	_, err = s.Load()
	require.ErrorContains(t, err, "broken.txtar")
	require.ErrorContains(t, err, "unknown key")

	s.Dir = "testdata/none"
	cases, err = s.Load()
	require.NoError(t, err)
	require.Empty(t, cases)
}

// fatal records what Check reports; its Fatalf stops the check as
// testing's does.
type fatal struct {
	testing.TB
	msg string
}

func (f *fatal) Helper() {}
func (f *fatal) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

// check runs Suite.Check and returns what it reported, "" when it passed.
func check(s *casefile.Suite, c *casefile.Case, out casefile.Outcome) (msg string) {
	f := &fatal{}
	defer func() {
		if p := recover(); p != nil {
			if p != any(f) {
				panic(p)
			}
			msg = f.msg
		}
	}()
	s.Check(f, c, out)
	return ""
}

// TestCheck shows that every check can fail, so that a checker bug cannot
// make every case pass vacuously.
func TestCheck(t *testing.T) {
	t.Parallel()
	s := testSuite()
	s.Field = func(err error, path string) bool { return path == "good" }
	long := string(make([]byte, casefile.MaxErrorText+1))
	wrapped := fmt.Errorf("bad: %w", errTest)
	for _, tt := range []struct {
		name    string
		want    casefile.Want
		out     casefile.Outcome
		wantMsg string // "" when the check passes
	}{
		{"ok", casefile.Want{OK: true}, casefile.Outcome{}, ""},
		{"ok but error", casefile.Want{OK: true}, casefile.Outcome{Err: errTest}, "want no error"},
		{"accepted", casefile.Want{Is: []error{errTest}}, casefile.Outcome{}, "accepted"},
		{"is", casefile.Want{Is: []error{errTest}}, casefile.Outcome{Err: wrapped}, ""},
		{"is not", casefile.Want{Is: []error{errTest}}, casefile.Outcome{Err: errors.New("other")}, "want errors.Is"},
		{"as", casefile.Want{As: s.As}, casefile.Outcome{Err: &testError{}}, ""},
		{"as not", casefile.Want{As: s.As}, casefile.Outcome{Err: errTest}, "want errors.As"},
		{"contains", casefile.Want{Contains: []string{"bad"}}, casefile.Outcome{Err: wrapped}, ""},
		{"contains not", casefile.Want{Contains: []string{"worse"}}, casefile.Outcome{Err: wrapped}, "containing"},
		{"field", casefile.Want{Field: []string{"good"}}, casefile.Outcome{Err: errTest}, ""},
		{"field not", casefile.Want{Field: []string{"bad"}}, casefile.Outcome{Err: errTest}, "problem at"},
		{"long error", casefile.Want{Is: []error{errTest}}, casefile.Outcome{Err: fmt.Errorf("%s%w", long, errTest)}, "echoes"},
		{"secret in error", casefile.Want{Is: []error{errTest}}, casefile.Outcome{Err: fmt.Errorf("s3cret %w", errTest)}, "secret"},
		{"secret in log", casefile.Want{OK: true}, casefile.Outcome{Logs: []string{"key=s3cret"}}, "secret"},
		{"status on a non-HTTP target", casefile.Want{Status: 400, Is: []error{errTest}}, casefile.Outcome{Err: errTest}, "not HTTP"},
		{"status", casefile.Want{Status: 400}, casefile.Outcome{HTTP: true, Status: 400}, ""},
		{"status differs", casefile.Want{Status: 400}, casefile.Outcome{HTTP: true, Status: 200}, "HTTP status 200"},
		{"long answer", casefile.Want{Status: 400}, casefile.Outcome{HTTP: true, Status: 400, Body: long}, "echoes"},
		{"secret in answer", casefile.Want{Status: 400}, casefile.Outcome{HTTP: true, Status: 400, Body: "s3cret"}, "secret"},
		{"body", casefile.Want{Status: 400, Body: []string{"nope"}}, casefile.Outcome{HTTP: true, Status: 400, Body: "bad"}, "does not contain"},
		{"logged is", casefile.Want{Status: 400, Is: []error{errTest}}, casefile.Outcome{HTTP: true, Status: 400, Logged: []error{wrapped}}, ""},
		{"logged is not", casefile.Want{Status: 400, Is: []error{errTest}}, casefile.Outcome{HTTP: true, Status: 400}, "want errors.Is"},
		{"log", casefile.Want{OK: true, Log: []string{"skipped"}}, casefile.Outcome{Logs: []string{"x"}}, "log line"},
		{"events", casefile.Want{OK: true, Events: new(1)}, casefile.Outcome{Events: 2}, "2 events"},
		{"no value", casefile.Want{OK: true, Value: new("v")}, casefile.Outcome{}, "no value"},
		{"value", casefile.Want{OK: true, Value: new("v")}, casefile.Outcome{Value: new("w")}, "result value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := check(s, &casefile.Case{Name: "c", Why: "why", Want: tt.want}, tt.out)
			if tt.wantMsg == "" {
				require.Empty(t, msg)
				return
			}
			require.Contains(t, msg, tt.wantMsg)
		})
	}
}

// leakRecorder records what GoroutinesSettle reports.
type leakRecorder struct{ failed string }

func (r *leakRecorder) Helper() {}
func (r *leakRecorder) Errorf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

// TestGoroutinesSettle checks that the leak check sees a goroutine left
// running, and passes once it stops. It is not parallel: it counts the
// process's goroutines.
func TestGoroutinesSettle(t *testing.T) {
	before := runtime.NumGoroutine()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-stop
	}()
	r := &leakRecorder{}
	casefile.GoroutinesSettle(r, before, 50*time.Millisecond)
	require.Contains(t, r.failed, "goroutine leak", "a blocked goroutine is a leak")
	require.Contains(t, r.failed, "TestGoroutinesSettle", "the report shows the leaked goroutine's stack")

	close(stop)
	<-done
	r = &leakRecorder{}
	casefile.GoroutinesSettle(r, before, 2*time.Second)
	require.Empty(t, r.failed, "no leak once the goroutine has stopped")
}
