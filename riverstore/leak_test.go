package riverstore_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/riverstore"
)

// TestStopLeavesNoGoroutine runs a replica that polls and delivers, stops
// it, and checks that no goroutine of River or of this package is left.
// It does not run in parallel, so that other tests' replicas are not
// counted.
func TestStopLeavesNoGoroutine(t *testing.T) {
	pool, _ := setup(t, 8)
	v := newVendor(t)
	rc := newReceiver(t)
	inst := dayInstance(t, "leak", v.srv.URL, rc.srv.URL+"/events")
	var log pollLog
	r := newReplica(t, pool, riverstore.Config{Instances: []*element.Instance{inst}, Poller: pollConfig(200 * time.Millisecond), OnPoll: log.add})
	require.NoError(t, r.Start(context.Background()))
	eventually(t, 10*time.Second, func() bool { return len(rc.eventCounts()) >= 2 }, "polled and delivered")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, r.Stop(ctx))

	ours := func() string {
		buf := make([]byte, 1<<20)
		var left []string
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if strings.Contains(g, "github.com/riverqueue/river") || strings.Contains(g, "elementevents/riverstore.(*") {
				left = append(left, g)
			}
		}
		return strings.Join(left, "\n\n")
	}
	deadline := time.Now().Add(5 * time.Second)
	for ours() != "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	require.Empty(t, ours(), "goroutines left after Stop")
}
