package casefile

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
)

// MaxErrorText bounds an error message or an HTTP answer: an error that
// echoes a hostile input of megabytes is not a clear error, and floods
// logs.
const MaxErrorText = 4096

// Suite describes one package's catalogue: where its files are, what its
// runner reads and what its cases may expect.
type Suite struct {
	// Dir holds the *.txtar cases. Default: testdata/bad.
	Dir string

	// Settings are the comment keys the runner reads, besides why, skip
	// and want.*.
	Settings []string

	// Files are the section names the runner reads.
	Files []string

	// Is maps the names want.is may give (element.ErrSyntax) to sentinels.
	Is map[string]error

	// As lists the error types want.as may name.
	As []ErrType

	// Field reports whether err holds a problem at a config path; nil when
	// cases may not give want.field.
	Field func(err error, path string) bool

	// Secrets must appear in no error, log line or answer.
	Secrets []string
}

func (s *Suite) dir() string {
	if s.Dir == "" {
		return "testdata/bad"
	}
	return s.Dir
}

// Outcome is what running a case produced.
type Outcome struct {
	Err    error    // the error returned, by a target that is not HTTP
	HTTP   bool     // the target answered an HTTP request
	Status int      // its status
	Body   string   // its answer
	Logged []error  // errors logged; the errors checked of an HTTP target
	Logs   []string // log lines as text
	Events int      // events published
	Value  *string  // the runner's result value; nil when there is none
	Note   string   // extra context for failure messages
}

// Run runs the Suite's files and the cases written in Go (inputs too
// large, binary or invalid UTF-8 for a file), each as a subtest of t, one
// at a time. Each must give its expected outcome, never panic, leave no
// goroutine behind, keep the Suite's secrets out of every error, log line
// and answer, and make no error or answer longer than MaxErrorText. t must
// not be parallel: the leak check counts the process's goroutines.
func (s *Suite) Run(t *testing.T, inGo []*Case, run func(t *testing.T, c *Case) Outcome) {
	t.Helper()
	cases, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("no *.txtar case in %s", s.dir())
	}
	for _, c := range inGo {
		if err := s.Validate(c); err != nil {
			t.Fatalf("Go case %q: %v", c.Name, err)
		}
	}
	cases = append(cases, inGo...)
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name] {
			t.Fatalf("case %q: two cases have this name", c.Name)
		}
		seen[c.Name] = true
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Skip != "" {
				t.Skip(c.Skip)
			}
			before := runtime.NumGoroutine()
			out, panicked := recovering(t, c, run)
			if panicked != "" {
				t.Fatalf("%s\npanicked on hostile input: %s", c.Why, panicked)
			}
			s.Check(t, c, out)
			GoroutinesSettle(t, before, 3*time.Second)
		})
	}
}

// recovering runs a case, turning a panic into a report with its stack.
func recovering(t *testing.T, c *Case, run func(*testing.T, *Case) Outcome) (out Outcome, panicked string) {
	defer func() {
		if p := recover(); p != nil {
			panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	return run(t, c), ""
}

// Check compares what a case produced with what it expects, and checks
// the bounds every case keeps: error and answer length, and secrets.
func (s *Suite) Check(t testing.TB, c *Case, out Outcome) {
	t.Helper()
	why, w := c.Why, c.Want
	if out.Note != "" {
		why += "\n" + out.Note
	}
	errs := out.Logged
	if !out.HTTP {
		switch {
		case out.Err != nil && w.OK:
			t.Fatalf("%s\nwant no error, got %.500q", why, out.Err.Error())
		case out.Err == nil && !w.OK:
			t.Fatalf("%s\nthe hostile input was accepted", why)
		case out.Err != nil:
			errs = []error{out.Err}
		}
		if w.Status != 0 {
			t.Fatalf("%s\nwant.status given for a target that is not HTTP", why)
		}
	} else {
		if out.Status != w.Status {
			t.Fatalf("%s\nHTTP status %d, want %d; answer %.500q; logged %.2000q", why, out.Status, w.Status, out.Body, out.Logs)
		}
		if len(out.Body) > MaxErrorText {
			t.Fatalf("%s\nthe answer is %d bytes: it echoes the input", why, len(out.Body))
		}
		for _, sub := range w.Body {
			if !strings.Contains(out.Body, sub) {
				t.Fatalf("%s\nthe answer %q does not contain %q", why, out.Body, sub)
			}
		}
	}
	for _, e := range errs {
		if n := len(e.Error()); n > MaxErrorText {
			t.Fatalf("%s\nthe error text is %d bytes: it echoes the input: %.300q...", why, n, e.Error())
		}
	}
	texts := append(slices.Clone(out.Logs), out.Body)
	for _, e := range errs {
		texts = append(texts, e.Error())
	}
	for _, secret := range s.Secrets {
		for _, text := range texts {
			if strings.Contains(text, secret) {
				t.Fatalf("%s\na secret leaked into an error, a log line or the answer", why)
			}
		}
	}
	for _, target := range w.Is {
		if !slices.ContainsFunc(errs, func(e error) bool { return errors.Is(e, target) }) {
			t.Fatalf("%s\nwant errors.Is %q; got %q", why, target, errTexts(errs))
		}
	}
	for _, typ := range w.As {
		if !slices.ContainsFunc(errs, typ.Match) {
			t.Fatalf("%s\nwant errors.As %s; got %T %q", why, typ.Name, errs, errTexts(errs))
		}
	}
	for _, sub := range w.Contains {
		if !slices.ContainsFunc(errs, func(e error) bool { return strings.Contains(e.Error(), sub) }) {
			t.Fatalf("%s\nwant an error containing %q; got %q", why, sub, errTexts(errs))
		}
	}
	for _, path := range w.Field {
		if !slices.ContainsFunc(errs, func(e error) bool { return s.Field(e, path) }) {
			t.Fatalf("%s\nwant a problem at %q; got %q", why, path, errTexts(errs))
		}
	}
	for _, sub := range w.Log {
		if !slices.ContainsFunc(out.Logs, func(l string) bool { return strings.Contains(l, sub) }) {
			t.Fatalf("%s\nwant a log line containing %q; got %q", why, sub, out.Logs)
		}
	}
	if w.Events != nil && *w.Events != out.Events {
		t.Fatalf("%s\n%d events published, want %d", why, out.Events, *w.Events)
	}
	if w.Value != nil {
		switch {
		case out.Value == nil:
			t.Fatalf("%s\nthe case produced no value to compare", why)
		case *out.Value != *w.Value:
			t.Fatalf("%s\nresult value %.500q, want %.500q", why, *out.Value, *w.Value)
		}
	}
}

// errTexts returns the error messages, each cut short, for failure output.
func errTexts(errs []error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		s := e.Error()
		if len(s) > 500 {
			s = s[:500] + "..."
		}
		out[i] = s
	}
	return out
}
