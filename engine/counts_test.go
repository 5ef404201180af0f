package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
)

// TestCounts follows the instance states as instances are created,
// disabled and fail.
func TestCounts(t *testing.T) {
	r := newRig(t, nil)
	want := map[engine.InstanceState]int{engine.StatePolling: 0, engine.StateFailing: 0, engine.StateWebhook: 0, engine.StateIdle: 0, engine.StateDisabled: 0}
	require.Equal(t, want, r.eng.Counts(), "every state, none yet")

	r.customer(1)
	_, err := r.eng.Create(t.Context(), "acme", r.body("p1", 1))
	require.NoError(t, err)
	_, err = r.eng.Create(t.Context(), "acme", r.body("p2", 1))
	require.NoError(t, err)
	hook := strings.Replace(string(r.body("w1", 1)), `"polling"`, `"webhook"`, 1)
	_, err = r.eng.Create(t.Context(), "acme", []byte(hook))
	require.NoError(t, err)
	idle := strings.Replace(string(r.body("i1", 1)), `"event.notification.enabled":"true"`, `"event.notification.enabled":"false"`, 1)
	require.NotEqual(t, string(r.body("i1", 1)), idle, "the body names event.notification.enabled as the test expects")
	_, err = r.eng.Create(t.Context(), "acme", []byte(idle))
	require.NoError(t, err)
	_, err = r.eng.SetEnabled(t.Context(), "acme", "p2", false)
	require.NoError(t, err)
	want[engine.StatePolling], want[engine.StateWebhook], want[engine.StateIdle], want[engine.StateDisabled] = 1, 1, 1, 1
	require.Equal(t, want, r.eng.Counts())

	// The store refuses the credentials: the polling instance is failing.
	r.woo.SetCredentials("ck_other", "cs_other")
	r.run()
	r.until(3*time.Minute, func() bool { return r.eng.Counts()[engine.StateFailing] == 1 }, "the failed cycle was not counted")
	want[engine.StatePolling], want[engine.StateFailing] = 0, 1
	require.Equal(t, want, r.eng.Counts())
}
