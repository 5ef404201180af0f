package casefile

import (
	"context"
	"log/slog"
	"strings"
	"sync"
)

// LogCapture is a slog.Handler that keeps every record at every level, so
// that a case can check the errors a target logs but does not return. It
// is safe for concurrent use.
type LogCapture struct {
	mu      sync.Mutex
	records []logRecord
}

// logRecord is one log line: its text and the errors among its attributes.
type logRecord struct {
	text   string // message and attributes
	errors []error
}

var _ slog.Handler = (*LogCapture)(nil)

// Logger returns a logger writing to l.
func (l *LogCapture) Logger() *slog.Logger { return slog.New(l) }

// Enabled reports true at every level.
func (l *LogCapture) Enabled(context.Context, slog.Level) bool { return true }

// Handle keeps r. An attribute's text is cut at 300 bytes, so that a 10 MB
// header makes no 10 MB log line.
func (l *LogCapture) Handle(_ context.Context, r slog.Record) error {
	var rec logRecord
	var sb strings.Builder
	sb.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		v := a.Value.Resolve()
		if err, ok := v.Any().(error); ok && v.Kind() == slog.KindAny {
			rec.errors = append(rec.errors, err)
		}
		s := v.String()
		if len(s) > 300 {
			s = s[:300] + "..."
		}
		sb.WriteString(" " + a.Key + "=" + s)
		return true
	})
	rec.text = sb.String()
	l.mu.Lock()
	l.records = append(l.records, rec)
	l.mu.Unlock()
	return nil
}

// WithAttrs returns l: attributes given ahead are not kept.
func (l *LogCapture) WithAttrs([]slog.Attr) slog.Handler { return l }

// WithGroup returns l: groups are not kept.
func (l *LogCapture) WithGroup(string) slog.Handler { return l }

// Errors returns every error logged so far.
func (l *LogCapture) Errors() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []error
	for _, r := range l.records {
		out = append(out, r.errors...)
	}
	return out
}

// Lines returns every record so far as text.
func (l *LogCapture) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.records))
	for i, r := range l.records {
		out[i] = r.text
	}
	return out
}
