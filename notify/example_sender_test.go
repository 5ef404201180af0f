package notify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/jonboulle/clockwork"
)

// A store that schedules deliveries itself (here, a loop) makes each
// attempt with a Sender, and follows its AttemptResult as the Notifier does:
// retry at NextAttempt, dead-letter, or disable the endpoint.
func ExampleSender() {
	tries := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tries++; tries == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	// The guard refuses loopback: allow exactly the test receiver.
	guard := netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}}
	policy := notify.DeliveryPolicy{
		Client:   srv.Client(),
		Guard:    guard,
		Schedule: []time.Duration{0, time.Second, time.Minute},
		Jitter:   -1,
	}
	clock := clockwork.NewFakeClock() // a real program passes nil: the real clock
	s, err := notify.NewSender(policy, clock)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := notify.Delivery{ID: "note-1", Endpoint: srv.URL + "/hook", Key: []byte("a-signature-key"), Body: []byte(`{"message":{}}`)}
	for n := 1; ; n++ {
		r := s.Send(context.Background(), d)
		fmt.Println(n, r.Outcome, r.Reason)
		if r.Outcome != notify.OutcomeRetry {
			break
		}
		next, ok := s.NextAttempt(r, n)
		if !ok {
			fmt.Println("dead: no attempt left")
			break
		}
		fmt.Println("retry in", next.Sub(clock.Now())) // Retry-After: 2, kept between 1s and 2s
		clock.Advance(next.Sub(clock.Now()))
	}
	// Output:
	// 1 retry 503 Service Unavailable
	// retry in 2s
	// 2 delivered
}
