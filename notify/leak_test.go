package notify_test

import (
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func newFake() *clockwork.FakeClock { return clockwork.NewFakeClockAt(t0) }

func clockOf(at time.Time) clockwork.Clock { return clockwork.NewFakeClockAt(at) }

func runtimeGoroutines() int { return runtime.NumGoroutine() }

// requireNoLeak waits for the goroutines started since before to end; it
// tolerates the HTTP connection goroutines of other parallel tests by
// looking only for this package's frames.
func requireNoLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "notify.(*Notifier).Run") || time.Now().After(deadline) {
			if strings.Contains(stacks, "notify.(*Notifier).Run") && !strings.Contains(stacks, "notify_test.setup") {
				t.Errorf("goroutine leak: a Notifier.Run is still running\n%s", stacks)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
