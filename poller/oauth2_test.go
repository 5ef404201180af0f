package poller_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/internal/logbuf"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendortest"
)

// oauthRig polls a fake Concur whose token endpoint rotates refresh
// tokens, on a fake clock, logging to a buffer.
type oauthRig struct {
	clock   *e2eClock
	api     *vendortest.Concur
	sink    *eventstest.Recorder
	state   poller.State
	tokens  vendorauth.TokenStore
	logs    *logbuf.Buffer
	reauths atomic.Int32
	p       *poller.Poller
	// resources, when set, is the instance's event.poller.configuration
	// member, with its leading comma.
	resources string
}

func newOAuthRig(t *testing.T, cfg vendortest.ConcurConfig) *oauthRig {
	t.Helper()
	clock := newE2EClock()
	cfg.Clock = clock
	r := &oauthRig{clock: clock, api: vendortest.ServeConcur(t, concurAuth(cfg)), sink: &eventstest.Recorder{},
		state: poller.NewMemoryState(), tokens: vendorauth.NewMemoryTokenStore(), logs: &logbuf.Buffer{}}
	r.p = r.poller(t, concurRefresh, nil)
	return r
}

// poller returns a Poller of the rig's instance with refresh token rt,
// sharing the rig's state and token store.
func (r *oauthRig) poller(t *testing.T, rt string, def *element.Definition, edit ...func(*poller.Config)) *poller.Poller {
	t.Helper()
	inst, err := element.Parse([]byte(`{"id": "77", "name": "Expenses", "element": {"key": "concur"}, "configuration": {
	    "concur.base.url": "` + r.api.URL() + `", "oauth.api.key": "` + concurClientID + `",
	    "oauth.api.secret": "` + concurClientSecret + `", "oauth.refresh.token": "` + rt + `",
	    "event.notification.enabled": true, "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/cb"` + r.resources + `}}`))
	require.NoError(t, err)
	cfg := poller.Config{Instance: inst, Definition: def, Sink: r.sink, Clock: r.clock, State: r.state, Tokens: r.tokens,
		Logger:        slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Guard:         allowServers(t, netguard.Guard{}, r.api.URL()),
		OnReauthorize: func(error) { r.reauths.Add(1) },
	}
	for _, e := range edit {
		e(&cfg)
	}
	p, err := poller.New(cfg)
	require.NoError(t, err)
	return p
}

// poll advances to the next refresh and polls once with p.
func (r *oauthRig) poll(t *testing.T, p *poller.Poller) poller.Result {
	t.Helper()
	r.clock.Advance(vocab.DefaultRefreshInterval)
	res, _ := r.clock.drive(t, p)
	require.NotEmpty(t, res)
	for _, x := range res[1:] {
		require.Equal(t, errors.Is(res[0].Err, vendorauth.ErrReauthorize), errors.Is(x.Err, vendorauth.ErrReauthorize), "every resource alike")
	}
	return res[0]
}

// calls counts the fake's requests to resource ("token", "reports")
// answered with status (0: any).
func (r *oauthRig) calls(resource string, status int) int {
	n := 0
	for _, e := range r.api.Log().Since(0) {
		name := e.Resource
		if e.Path == vendortest.ConcurReportsPath {
			name = "reports" // a refused request names no resource
		}
		if name == resource && (status == 0 || e.Status == status) {
			n++
		}
	}
	return n
}

// statuses returns the states of the status notifications published.
func statusStates(bs []events.Batch) []events.StatusState {
	var out []events.StatusState
	for _, b := range bs {
		if b.Status != nil {
			out = append(out, b.Status.State)
		}
	}
	return out
}

func TestE2EConcurThirtyDaysOfHourlyTokens(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("2,880 polls")
	}
	r := newOAuthRig(t, vendortest.ConcurConfig{})
	require.NoError(t, r.poll(t, r.p).Err) // the baseline
	const days, every = 30, 5              // a new report every 5 polls (75 min)
	var want, got []string
	for i := 1; i < days*24*4; i++ {
		if i%every == 0 {
			id := fmt.Sprintf("R%05d", i)
			at := r.clock.Now().Add(5 * time.Minute)
			r.api.PutReport(vendortest.Report{ID: id, Name: "Trip", Created: at, Modified: at})
			want = append(want, "CREATED "+id)
		}
		res := r.poll(t, r.p)
		require.NoError(t, res.Err, "poll %d at %s", i, r.clock.Now())
		got = append(got, e2eSummary(r.sink.Take())...)
	}
	require.Equal(t, want, got, "every change arrives, once")
	refreshes := r.calls("token", http.StatusOK)
	require.InDelta(t, days*24, refreshes, 2, "about one refresh an hour")
	require.Equal(t, refreshes, r.calls("token", 0), "no refused refresh")
	require.Zero(t, r.calls("reports", http.StatusUnauthorized), "no page request with an expired token")
	stored, err := r.tokens.Load(t.Context(), "concur/77")
	require.NoError(t, err)
	require.Equal(t, vendorauth.Secret(r.api.RefreshToken()), stored.RefreshToken, "the store holds the live refresh token")
}

func TestPollerRenewsTokenOnceAfterAuthFailure(t *testing.T) {
	t.Parallel()
	concur, ok := element.Default().Lookup("concur")
	require.True(t, ok)
	forbidden := *concur
	forbidden.Auth.ForbiddenMeansExpired = true
	tests := []struct {
		name    string
		status  int
		def     *element.Definition
		wantErr error
	}{
		{"401 renews", http.StatusUnauthorized, nil, nil},
		{"403 renews where the definition says", http.StatusForbidden, &forbidden, nil},
		{"403 is refused otherwise", http.StatusForbidden, nil, poller.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newOAuthRig(t, vendortest.ConcurConfig{ExpiredStatus: tt.status})
			p := r.poller(t, concurRefresh, tt.def)
			require.NoError(t, r.poll(t, p).Err)
			require.Equal(t, 1, r.calls("token", 0))

			r.api.ExpireAccessTokens()
			res := r.poll(t, p)
			if tt.wantErr != nil {
				require.ErrorIs(t, res.Err, tt.wantErr)
				require.Equal(t, 1, r.calls("token", 0), "no renewal")
				return
			}
			require.NoError(t, res.Err)
			require.Equal(t, 2, r.calls("token", http.StatusOK), "one renewal")
			require.Equal(t, 1, r.calls("reports", tt.status), "one refused page request, retried once")
		})
	}
}

func TestPollerStopsWhenAuthorisationIsRefused(t *testing.T) {
	t.Parallel()
	r := newOAuthRig(t, vendortest.ConcurConfig{})
	// Two resources: both stop.
	r.resources = `, "event.poller.configuration": {
	    "reports": {"url": "/hubs/expense/reports?user=ALL", "idField": "ID"},
	    "submitted": {"url": "/hubs/expense/reports?user=ALL&approvalStatusCode=A_PEND", "idField": "ID"}}`
	r.p = r.poller(t, concurRefresh, nil)
	require.Equal(t, []string{"reports", "submitted"}, r.p.Resources())
	require.NoError(t, r.poll(t, r.p).Err)
	r.api.RevokeRefreshToken()
	r.clock.Advance(time.Hour)

	res := r.poll(t, r.p)
	require.ErrorIs(t, res.Err, vendorauth.ErrReauthorize)
	require.ErrorIs(t, res.Err, poller.ErrUnauthorized)
	require.ErrorContains(t, res.Err, "oauth.refresh.token")
	require.ErrorContains(t, res.Err, "instance 77")
	batches := r.sink.Take()
	require.Equal(t, []events.StatusState{events.NeedsReauthorization}, statusStates(batches))
	require.Equal(t, "oauth.refresh.token", batches[0].Status.ConfigKey)
	require.Equal(t, "77", batches[0].Instance.ID)
	require.Equal(t, int32(1), r.reauths.Load())
	require.Equal(t, 1, strings.Count(r.logs.String(), "level=WARN"), r.logs.String())

	// Stopped: no request, no hook, no log line, no status.
	before := r.api.Log().Len()
	for range 3 {
		res = r.poll(t, r.p)
		require.ErrorIs(t, res.Err, vendorauth.ErrReauthorize)
	}
	require.Equal(t, before, r.api.Log().Len())
	require.Equal(t, int32(1), r.reauths.Load())
	require.Equal(t, 1, strings.Count(r.logs.String(), "level=WARN"))
	require.Empty(t, r.sink.Take())

	// The user authorises again; the host makes a Poller with the new
	// refresh token, sharing the state and the token store.
	r.api.SetRefreshToken("TOPSECRET-concur-refresh-2")
	fresh := r.poller(t, "TOPSECRET-concur-refresh-2", nil)
	require.NoError(t, r.poll(t, fresh).Err)
	require.Equal(t, []events.StatusState{events.Recovered}, statusStates(r.sink.Take()))
	require.NoError(t, r.poll(t, fresh).Err)
	require.Empty(t, statusStates(r.sink.Take()), "Recovered once")
}

func TestPollerResumeAfterRefusal(t *testing.T) {
	t.Parallel()
	r := newOAuthRig(t, vendortest.ConcurConfig{})
	p := r.poller(t, concurRefresh, nil, func(c *poller.Config) { c.NoStatusNotifications = true })
	require.NoError(t, r.poll(t, p).Err)
	r.api.ExpireAccessTokens()
	// Another process holding the old chain spends the refresh token.
	r.api.SetRefreshToken("TOPSECRET-elsewhere")
	require.ErrorIs(t, r.poll(t, p).Err, vendorauth.ErrReauthorize)
	require.Empty(t, r.sink.Take(), "NoStatusNotifications")

	// Resume asks the store again; its chain is still refused.
	p.Resume("reports")
	before := r.calls("token", 0)
	require.ErrorIs(t, r.poll(t, p).Err, vendorauth.ErrReauthorize)
	require.Equal(t, before, r.calls("token", 0), "a refused chain is not sent again")
}

func TestHTTPSourceTokenURLThroughGuard(t *testing.T) {
	t.Parallel()
	api := vendortest.ServeConcur(t, concurAuth(vendortest.ConcurConfig{}))
	other := vendortest.ServeConcur(t, concurAuth(vendortest.ConcurConfig{}))
	// Pages go to api, which the guard allows; the token URL, from
	// concur.base.url, to other, which it does not.
	inst, err := element.Parse([]byte(`{"id": "77", "element": {"key": "concur"}, "configuration": {
	    "concur.base.url": "` + other.URL() + `", ` + concurCredentials + `, "event.vendor.type": "polling"}}`))
	require.NoError(t, err)
	src, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: inst, BaseURL: api.URL() + "/api/v3.0",
		Guard: allowServers(t, netguard.Guard{}, api.URL())})
	require.NoError(t, err)
	_, err = src.Fetch(t.Context(), poller.Request{Resource: "reports", Config: concurResource(t, 0), Since: since})
	require.ErrorIs(t, err, netguard.ErrRefused)
	require.ErrorIs(t, err, poller.ErrConfig)
	require.ErrorContains(t, err, "concur.base.url")
	require.Zero(t, other.Log().Len())
	require.Zero(t, api.Log().Len())
}

func TestPollerOAuth2BadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(r *oauthRig)
		secret  string // the configured client secret, when not the right one
		wantErr error
		says    []string
	}{
		{name: "wrong client secret", secret: "TOPSECRET-wrong-secret", wantErr: poller.ErrUnauthorized,
			says: []string{"instance 77", "invalid_client", "oauth.api.secret"}},
		{name: "refresh token used twice", setup: func(r *oauthRig) {
			// Another process polled with the same configured token first.
			r.api.SetRefreshToken("TOPSECRET-rotated-elsewhere")
		}, wantErr: vendorauth.ErrReauthorize, says: []string{"instance 77", "invalid_grant", "oauth.refresh.token"}},
		{name: "revoked", setup: func(r *oauthRig) { r.api.RevokeRefreshToken() }, wantErr: vendorauth.ErrReauthorize,
			says: []string{"instance 77", "invalid_grant", "oauth.refresh.token"}},
		{name: "token endpoint answers HTML", setup: func(r *oauthRig) {
			r.api.Inject(vendortest.Fault{Resource: "token", HTML: true})
		}, wantErr: poller.ErrUnauthorized, says: []string{"instance 77", "text/html", "/oauth2/v0/token", "concur.base.url"}},
		{name: "token endpoint answers 500", setup: func(r *oauthRig) {
			r.api.Inject(vendortest.Fault{Resource: "token", Status: 500, Times: -1})
		}, wantErr: poller.ErrVendor, says: []string{"instance 77", "status 500", "/oauth2/v0/token", "concur.base.url", "attempt 5 of 5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newOAuthRig(t, vendortest.ConcurConfig{})
			if tt.setup != nil {
				tt.setup(r)
			}
			p := r.p
			if tt.secret != "" {
				inst := strings.ReplaceAll(concurClientSecret, concurClientSecret, tt.secret)
				p = r.poller(t, concurRefresh, nil, func(c *poller.Config) {
					c.Instance.Configuration.Set("oauth.api.secret", inst)
				})
			}
			res := r.poll(t, p)
			require.ErrorIs(t, res.Err, tt.wantErr)
			for _, s := range tt.says {
				require.ErrorContains(t, res.Err, s)
			}
			requireNoSecrets(t, res.Err.Error()+r.logs.String(), r, tt.secret)
		})
	}
}

// TestOAuth2RunLeaksNoSecret runs an instance through renewals, a 401,
// a token endpoint failure and a refused authorisation, and looks for
// every secret in the logs, the errors and the notifications.
func TestOAuth2RunLeaksNoSecret(t *testing.T) {
	t.Parallel()
	r := newOAuthRig(t, vendortest.ConcurConfig{})
	var out strings.Builder
	var seen []string // every access and refresh token that was valid
	record := func(res poller.Result) {
		if res.Err != nil {
			fmt.Fprintf(&out, "%v %+v %#v\n", res.Err, res, res)
		}
		seen = append(seen, r.api.RefreshToken())
	}
	for range 12 {
		record(r.poll(t, r.p))
	}
	r.api.ExpireAccessTokens()
	record(r.poll(t, r.p))
	r.api.Inject(vendortest.Fault{Resource: "token", Status: 503, Times: -1})
	r.clock.Advance(time.Hour)
	record(r.poll(t, r.p))
	r.api.TakeFaults()
	r.api.Inject(vendortest.Fault{Resource: "token", HTML: true})
	r.clock.Advance(time.Hour)
	record(r.poll(t, r.p))
	r.p.Resume("reports")
	record(r.poll(t, r.p))
	r.api.RevokeRefreshToken()
	r.clock.Advance(time.Hour)
	record(r.poll(t, r.p))
	for _, b := range r.sink.Take() {
		fmt.Fprintf(&out, "%+v %#v\n", b, b)
	}
	fmt.Fprintf(&out, "%v %+v %#v\n", r.p, r.p, r.p)
	require.Contains(t, out.String(), "invalid_grant", "the run ended refused")
	for _, e := range r.api.Log().Since(0) {
		if tok, ok := strings.CutPrefix(e.Header.Get("Authorization"), "Bearer "); ok {
			seen = append(seen, tok)
		}
	}
	require.Greater(t, len(seen), 10)
	requireNoSecrets(t, out.String()+r.logs.String(), r, seen...)
}

// requireNoSecrets fails if text holds the client secret, the configured
// refresh token or any of more.
func requireNoSecrets(t *testing.T, text string, _ *oauthRig, more ...string) {
	t.Helper()
	for _, s := range append([]string{concurClientSecret, concurRefresh}, more...) {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("secret %q found in:\n%s", s[:8]+"...", text)
		}
	}
}

// Three pollers of one instance (three replicas, here sharing one
// process's token store) poll a day of hourly tokens at once: one refresh
// an hour between them, and the rotating refresh token is never spent
// twice.
func TestPollersShareTokenChain(t *testing.T) {
	t.Parallel()
	r := newOAuthRig(t, vendortest.ConcurConfig{})
	ps := []*poller.Poller{r.p, r.poller(t, concurRefresh, nil), r.poller(t, concurRefresh, nil)}
	for range 24 * 4 {
		r.clock.Advance(vocab.DefaultRefreshInterval)
		var wg sync.WaitGroup
		for _, p := range ps {
			wg.Go(func() {
				for _, res := range p.Poll(t.Context()) {
					if res.Err != nil {
						t.Error(res.Err) // not require: this is not the test's goroutine
					}
				}
			})
		}
		wg.Wait()
	}
	require.Zero(t, r.calls("token", http.StatusBadRequest), "no refresh token used twice")
	require.InDelta(t, 24, r.calls("token", http.StatusOK), 1)
}
