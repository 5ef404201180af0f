package casefile

import (
	"runtime"
	"time"

	"github.com/jonboulle/clockwork"
)

// Reporter is the part of testing.TB that GoroutinesSettle uses, so that
// its own test can watch it fail.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// GoroutinesSettle reports a leak to t, with every goroutine's stack,
// unless the number of goroutines falls back to before within wait:
// whatever a case started (server connections, poll workers, transports)
// must have stopped once the case has cleaned up. It waits on the real
// clock, as the goroutines it waits for do.
func GoroutinesSettle(t Reporter, before int, wait time.Duration) {
	t.Helper()
	clock := clockwork.NewRealClock()
	deadline := clock.Now().Add(wait)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if clock.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutine leak: %d goroutines left, %d before the case\n%s", n, before, buf)
			return
		}
		clock.Sleep(5 * time.Millisecond)
	}
}
