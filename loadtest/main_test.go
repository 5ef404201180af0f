package loadtest_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/notify"
	"github.com/stretchr/testify/require"
)

// fullFlag asks TestIngest for the full 50,000 webhooks.
var fullFlag = flag.Bool("loadtest.full", false, "run TestIngest with 50,000 webhooks instead of 5,000 (or set ELEMENTEVENTS_LOAD_FULL=1)")

// full reports whether the full-size load was asked for.
func full() bool {
	return *fullFlag || os.Getenv("ELEMENTEVENTS_LOAD_FULL") == "1"
}

// discard is the logger of every component: the tests assert on results,
// and the faults they provoke would otherwise fill the output.
var discard = slog.New(slog.DiscardHandler)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(5 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "loadtest: goroutines left behind after all tests:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leakMarkers are frames that only goroutines the tests start can have:
// the library's workers, HTTP connections of the test servers and
// clients, and the tests' own helpers.
var leakMarkers = []string{
	"github.com/a12b7632/elementevents/events.",
	"github.com/a12b7632/elementevents/poller.",
	"github.com/a12b7632/elementevents/webhook.",
	"github.com/a12b7632/elementevents/receiver.",
	"net/http.(*conn).serve",
	"net/http.(*persistConn)",
	"net/http/httptest.",
	"loadtest_test.",
}

// leakedGoroutines waits up to wait for every goroutine but the caller's
// that has a leak marker to end, and returns their stacks if some do not.
func leakedGoroutines(wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 4<<20)
		all := string(buf[:runtime.Stack(buf, true)])
		var leaked []string
		for i, g := range strings.Split(all, "\n\n") {
			if i == 0 || strings.Contains(g, "loadtest_test.TestMain(") {
				continue // the caller, and the main goroutine running the tests
			}
			for _, m := range leakMarkers {
				if strings.Contains(g, m) {
					leaked = append(leaked, g)
					break
				}
			}
		}
		if len(leaked) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkNoLeak fails t if, once its cleanups have run, goroutines started by
// it are still there. Call it first in a top-level test that is not
// parallel, so that its cleanup runs last and sees no other test's
// goroutines.
func checkNoLeak(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		if leaked := leakedGoroutines(5 * time.Second); leaked != "" {
			t.Errorf("goroutines left behind:\n%s", leaked)
		}
	})
}

// runNotifier starts n.Run(ctx) and returns the function that stops it:
// it calls cancel and fails tb unless Run returns nil within wait.
func runNotifier(ctx context.Context, tb testing.TB, n *notify.Notifier, cancel context.CancelFunc, wait time.Duration) func() {
	runDone := make(chan error, 1)
	go func() { runDone <- n.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-runDone:
			require.NoError(tb, err)
		case <-time.After(wait):
			tb.Error("Notifier.Run did not return after its context ended")
		}
	}
}
