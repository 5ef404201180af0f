package elementevents_test

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireGoroutinesSettle fails t unless the number of goroutines falls
// back to before within a deadline: whatever a case started (server
// connections, poll workers, transports) must have stopped by the time the
// case has cleaned up. The cases run one at a time, so the count is the
// case's own.
func requireGoroutinesSettle(t *testing.T, before int) {
	t.Helper()
	goroutinesSettle(t, before, 3*time.Second)
}

// errorReporter is the part of testing.TB that goroutinesSettle uses, so
// that its own test can watch it fail.
type errorReporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// goroutinesSettle reports a leak to t unless the goroutine count is back
// to before within wait.
func goroutinesSettle(t errorReporter, before int, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutine leak: %d goroutines left, %d before the case\n%s", n, before, buf)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// logCapture is a slog.Handler that keeps every record at every level, so
// that a case can check the errors a handler logs but does not answer.
type logCapture struct {
	mu      sync.Mutex
	records []capturedRecord
}

// capturedRecord is one log line: its message and the errors among its
// attributes.
type capturedRecord struct {
	msg    string
	text   string // message and attributes, as text
	errors []error
}

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }

func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	rec := capturedRecord{msg: r.Message}
	var sb strings.Builder
	sb.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		v := a.Value.Resolve()
		if err, ok := v.Any().(error); ok && v.Kind() == slog.KindAny {
			rec.errors = append(rec.errors, err)
		}
		sb.WriteString(" " + a.Key + "=")
		s := v.String()
		if len(s) > 300 { // a 10 MB header must not make a 10 MB log line
			s = s[:300] + "..."
		}
		sb.WriteString(s)
		return true
	})
	rec.text = sb.String()
	l.mu.Lock()
	l.records = append(l.records, rec)
	l.mu.Unlock()
	return nil
}

func (l *logCapture) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCapture) WithGroup(string) slog.Handler      { return l }

// errs returns every error logged so far.
func (l *logCapture) errs() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []error
	for _, r := range l.records {
		out = append(out, r.errors...)
	}
	return out
}

// lines returns every record as text.
func (l *logCapture) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.records))
	for i, r := range l.records {
		out[i] = r.text
	}
	return out
}

// slogOf returns a logger writing to l.
func slogOf(l *logCapture) *slog.Logger { return slog.New(l) }
