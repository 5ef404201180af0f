package riverstore_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/riverstore"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendortest"
)

// TestReplicasShareConcurTokens runs three replicas, each on its own pool,
// polling one Concur instance whose token endpoint rotates the refresh
// token on every refresh and refuses any refresh token used twice. Its
// access tokens expire at once (a lifetime shorter than the refresh skew),
// so every page request of every replica refreshes: a refresh token is
// used twice, and the instance is lost, unless the replicas take turns
// through PostgreSQL and each uses the token the last one stored.
func TestReplicasShareConcurTokens(t *testing.T) {
	t.Parallel()
	const interval = 250 * time.Millisecond
	pool, schema := setup(t, 8)
	rc := newReceiver(t)
	concur, inst := concurRig(t, "c1", rc)

	var (
		mu      sync.Mutex
		refused []error
	)
	var log pollLog
	cfg := func(*element.Instance) poller.Config {
		return poller.Config{Interval: interval, FirstRun: poller.EmitAll, Logger: quiet,
			OnReauthorize: func(err error) { mu.Lock(); refused = append(refused, err); mu.Unlock() }}
	}
	for i := range 3 {
		p := pool
		if i > 0 {
			p = connect(t, schema, 8)
		}
		startReplica(t, p, riverstore.Config{Instances: []*element.Instance{inst}, Poller: cfg, OnPoll: log.add})
	}

	// Reports keep changing while the replicas poll.
	const reports = 12
	for i := range reports {
		concur.PutReport(vendortest.Report{ID: "r" + strconv.Itoa(i), Name: "trip " + strconv.Itoa(i)})
		time.Sleep(interval / 2)
	}
	eventually(t, 20*time.Second, func() bool { return len(rc.eventCounts()) >= reports }, "every report delivered")

	ok := 0
	for _, info := range log.snapshot() {
		if info.Result.Err == nil && !info.Skipped {
			ok++
		}
		require.False(t, errors.Is(info.Result.Err, vendorauth.ErrReauthorize), "poll refused: %v", info.Result.Err)
	}
	require.GreaterOrEqual(t, ok, 5, "polls succeeded")
	mu.Lock()
	require.Empty(t, refused, "OnReauthorize was called")
	mu.Unlock()

	refreshes := 0
	for _, r := range concur.Log().Since(0) {
		if r.Path == vendortest.ConcurTokenPath {
			require.NotEqual(t, 400, r.Status, "the token endpoint refused a refresh")
			refreshes++
		}
	}
	require.GreaterOrEqual(t, refreshes, 3, "tokens were refreshed")
	stored, err := riverstore.NewTokenStore(pool, riverstore.StoreConfig{Schema: schema})
	require.NoError(t, err)
	tok, err := stored.Load(t.Context(), "concur/c1")
	require.NoError(t, err)
	require.Equal(t, concur.RefreshToken(), string(tok.RefreshToken), "the store holds the one valid refresh token")
}

// TestReplicasReportARefusalOnce revokes the refresh token while three
// replicas poll a Concur instance: the first refresh after it is refused
// (invalid_grant), the chain is marked refused in PostgreSQL, and from
// then on no replica asks the token endpoint again. Every poll job that
// finds the refusal publishes the instance's NEEDS_REAUTHORIZATION status,
// dated by the refusal the store records, so the callback receives it
// once; and each replica stops polling the instance after its first
// refusal, so OnReauthorize (and its log line) comes once a replica.
func TestReplicasReportARefusalOnce(t *testing.T) {
	t.Parallel()
	const interval = 200 * time.Millisecond
	pool, schema := setup(t, 8)
	rc := newReceiver(t)
	concur, inst := concurRig(t, "c2", rc)
	var log pollLog
	var hooks atomic.Int32
	cfg := func(*element.Instance) poller.Config {
		return poller.Config{Interval: interval, Logger: quiet, OnReauthorize: func(error) { hooks.Add(1) }}
	}
	for i := range 3 {
		p := pool
		if i > 0 {
			p = connect(t, schema, 8)
		}
		startReplica(t, p, riverstore.Config{Instances: []*element.Instance{inst}, Poller: cfg, OnPoll: log.add})
	}
	tokenRequests := func() (all, refused int) {
		for _, r := range concur.Log().Since(0) {
			if r.Path == vendortest.ConcurTokenPath {
				all++
				if r.Status == 400 {
					refused++
				}
			}
		}
		return all, refused
	}
	eventually(t, 10*time.Second, func() bool { all, _ := tokenRequests(); return all >= 2 }, "polls refresh tokens")
	concur.RevokeRefreshToken()

	refusals := func() int {
		n := 0
		for _, i := range log.snapshot() {
			if errors.Is(i.Result.Err, vendorauth.ErrReauthorize) {
				n++
			}
		}
		return n
	}
	eventually(t, 10*time.Second, func() bool { return refusals() >= 6 }, "poll jobs find the refusal")
	eventually(t, 10*time.Second, func() bool { return len(rc.statusesOf(events.NeedsReauthorization)) > 0 }, "the status is delivered")
	time.Sleep(3 * interval) // room for a second status, if there were one
	require.Len(t, rc.statusesOf(events.NeedsReauthorization), 1, "one status for the refusal, whichever replica and job found it")
	all, refused := tokenRequests()
	require.LessOrEqual(t, refused, 2, "the refused chain is not asked for again (%d token requests)", all)
	require.LessOrEqual(t, hooks.Load(), int32(3), "OnReauthorize is called once by each replica at most, not by every poll job")
}

// concurRig serves a fake Concur whose token endpoint rotates the refresh
// token on every use and refuses one used twice, with access tokens that
// expire within the refresh skew, so that every request refreshes; and
// returns it with a polling instance id of it, delivering to rc.
func concurRig(t *testing.T, id string, rc *receiver) (*vendortest.Concur, *element.Instance) {
	t.Helper()
	concur := vendortest.ServeConcur(t, vendortest.ConcurConfig{
		ClientID: "client-" + id, ClientSecret: "client-secret-" + id, RefreshToken: "refresh-" + id,
		TokenLifetime: time.Second,
	})
	body := fmt.Sprintf(`{"id": %q, "name": "expenses", "element": {"key": "concur"},
	  "configuration": {
	    "concur.base.url": %q, "oauth.api.key": "client-%s", "oauth.api.secret": "client-secret-%s",
	    "oauth.refresh.token": "refresh-%s",
	    "event.notification.enabled": true, "event.vendor.type": "polling",
	    "event.notification.callback.url": %q, "event.notification.signature.key": %q}}`,
		id, concur.URL(), id, id, id, rc.srv.URL+"/events", testKey)
	inst, err := element.Parse([]byte(body))
	require.NoError(t, err)
	require.NoError(t, inst.Validate())
	return concur, inst
}
