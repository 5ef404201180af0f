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
)

// A store that schedules deliveries itself (here, a loop) makes each
// attempt with a Sender, and follows its Result as the Notifier does:
// retry after RetryDelay, dead-letter, or disable the endpoint.
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
	s := notify.NewSender(notify.Config{Client: srv.Client(), Guard: guard})
	d := notify.Delivery{ID: "note-1", Endpoint: srv.URL + "/hook", Key: []byte("a-signature-key"), Body: []byte(`{"message":{}}`)}
	schedule := []time.Duration{0, time.Second, time.Minute}
	for n := 1; n <= len(schedule); n++ {
		r := s.Send(context.Background(), d)
		fmt.Println(n, r.Outcome, r.Reason)
		if r.Outcome != notify.OutcomeRetry || n == len(schedule) {
			break
		}
		wait := r.RetryDelay(schedule[n], -1, time.Now())
		fmt.Println("retry in", wait) // Retry-After: 2, kept between 1s and 2s
	}
	// Output:
	// 1 retry 503 Service Unavailable
	// retry in 2s
	// 2 delivered
}
