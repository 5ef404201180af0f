package main

import (
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
)

// TestRunEndToEnd runs the program in process (under the race detector
// when the tests are) through the whole scenario, and checks that nothing
// it started outlives it.
//
// It is not parallel, so that the leak check sees only its own goroutines.
func TestRunEndToEnd(t *testing.T) {
	sc := newScenario(t)
	p := startInProcess(t, sc.args("-log-format", "text"))
	exercise(t, sc, p)
	requireNoLeak(t)
}

// TestProcessSIGTERM builds the program, runs it as a subprocess through
// the whole scenario and stops it with SIGTERM.
func TestProcessSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on windows")
	}
	t.Parallel()
	bin := buildProgram(t)
	sc := newScenario(t)
	p := startProcess(t, bin, sc.args("-log-format", "json"))
	exercise(t, sc, p)
}

// exercise drives the scenario: a change found by polling and one
// received by webhook are both delivered, verified, to the callback; then
// the program is stopped while a third delivery is in flight, and must let
// it finish and exit 0 well within -shutdown-timeout.
func exercise(t *testing.T, sc *scenario, p *program) {
	addr := p.listenAddr(t)

	// Polling: the first cycle takes a baseline, so only a customer
	// created after it is reported.
	p.waitFor(t, "the baseline poll", func() bool { return sc.servedLists() >= 1 })
	now := time.Now()
	sc.store.PutCustomer(vendortest.Customer{ID: 3, Email: "linus@example.com", Created: now, Modified: now})
	p.waitFor(t, "CREATED customers 3, from polling", func() bool {
		_, ok := sc.rcv.find(shopID, events.Created, "customers", "3")
		return ok
	})

	// Webhooks: a delivery signed with the wrong secret is refused; a
	// signed one is delivered as UPDATED.
	hookURL := "http://" + addr + "/events/woocommercerest/" + hooksID
	body, ok := sc.store.Record("customers", 2)
	require.True(t, ok)
	require.Equal(t, http.StatusUnauthorized, post(t, vendortest.NewWooWebhookRequest(t, hookURL, "not-the-secret", "customer.updated", body)))
	require.Equal(t, http.StatusOK, post(t, vendortest.NewWooWebhookRequest(t, hookURL, webhookSecret, "customer.updated", body)))
	p.waitFor(t, "UPDATED customers 2, from the webhook", func() bool {
		_, ok := sc.rcv.find(hooksID, events.Updated, "customers", "2")
		return ok
	})

	// Stop while a delivery is in flight: the receiver holds the
	// notification of customer 1's update unanswered.
	sc.changeEmail(t, 1, "ada.lovelace@example.com", time.Now())
	var held events.Notification
	select {
	case held = <-sc.rcv.held:
	case <-time.After(10 * time.Second):
		t.Fatalf("customer 1's update was not delivered; logs:\n%s", p.logs)
	}
	stopped := time.Now()
	p.stop()
	select {
	case <-p.done:
		t.Fatalf("the program exited (status %d) with a delivery in flight; logs:\n%s", p.code, p.logs)
	case <-time.After(300 * time.Millisecond):
	}
	sc.rcv.releaseAll()
	code := p.exit(t, 5*time.Second)
	logs := p.logs.String()
	require.Equal(t, exitOK, code, "exit status; logs:\n%s", logs)
	require.Less(t, time.Since(stopped), 5*time.Second, "the shutdown took longer than -shutdown-timeout")

	// The held delivery finished before the shutdown completed.
	delivered := logLine(logs, "notification delivered", held.Message.EventID)
	complete := logLine(logs, "shutdown complete")
	require.GreaterOrEqual(t, delivered, 0, "the held delivery is not logged as delivered; logs:\n%s", logs)
	require.Greater(t, complete, delivered, "shutdown complete, after the held delivery; logs:\n%s", logs)

	// Exactly the three notifications, each once, each complete.
	var got []string
	for _, n := range sc.rcv.notifications() {
		m := n.Message
		require.Equal(t, "woocommercerest", m.ElementKey)
		require.NotEmpty(t, m.Raw)
		for _, e := range m.Events {
			require.Equal(t, "ecommerce", e.HubKey)
			got = append(got, m.InstanceID+" "+string(e.EventType)+" "+e.ObjectType+" "+e.ObjectID)
		}
		if m.InstanceID == shopID {
			require.Equal(t, "e2e shop", m.InstanceName)
			require.Equal(t, []string{"e2e"}, m.InstanceTags)
		}
	}
	slices.Sort(got)
	require.Equal(t, []string{
		"7 CREATED customers 3",
		"7 UPDATED customers 1",
		"hooks UPDATED customers 2",
	}, got)

	for _, secret := range []string{consumerKey, consumerSecret, signatureKey, webhookSecret} {
		require.NotContains(t, logs, secret, "a secret reached the logs")
	}
}

// logLine returns the number of the first line of logs that contains
// every one of parts, or -1.
func logLine(logs string, parts ...string) int {
	for i, line := range strings.Split(logs, "\n") {
		if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(line, p) }) {
			return i
		}
	}
	return -1
}

// post sends req and returns the status.
func post(t *testing.T, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}

// requireNoLeak fails if a goroutine that run started is still running:
// its own, a poller's or the notifier's. It looks for their frames rather
// than counting goroutines, so that parallel tests do not disturb it.
func requireNoLeak(t *testing.T) {
	t.Helper()
	frames := []string{"main.(*app)", "main.waitUntil", "poller.(*Poller).Run", "events.(*Notifier).Run"}
	deadline := time.Now().Add(2 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		leaked := slices.ContainsFunc(frames, func(f string) bool { return strings.Contains(stacks, f) })
		if !leaked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutine leak: run's goroutines still running\n%s", stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
