// Package logbuf is a log sink for tests: a buffer that the code under
// test writes from its goroutines while the test reads it.
//
//	var logs logbuf.Buffer
//	logger := slog.New(slog.NewTextHandler(&logs, nil))
//	...
//	require.NotContains(t, logs.String(), secret)
package logbuf

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer safe for concurrent use. The zero value is
// empty and ready.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
