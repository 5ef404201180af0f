package receiver_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/receiver/receivertest"
	"github.com/a12b7632/elementevents/signature"
)

// A service receives the notifications sent to its callback URL. The
// clock is fake here so that the output is fixed; a real service leaves
// Clock unset.
func ExampleReceiver() {
	key := []byte("the event.notification.signature.key")
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))

	rc, err := receiver.New(receiver.Config{
		Keys:  []signature.Key{key},
		Clock: clock,
		Handle: func(ctx context.Context, n events.Notification) error {
			for _, e := range n.Message.Events {
				fmt.Println(n.Message.InstanceID, e.EventType, e.ObjectType, e.ObjectID)
			}
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/events", rc)

	// What the Notifier sends, and the same delivery again.
	body := `{"message":{"eventId":"evt-1","elementKey":"woocommercerest","instanceId":"123",` +
		`"events":[{"eventType":"CREATED","objectType":"customers","objectId":"42","date":"2026-11-24T11:59:00Z"}]}}`
	for range 2 {
		req := httptest.NewRequest(http.MethodPost, "/events", strings.NewReader(body))
		req.Header = receivertest.Sign(key, "evt-1", clock.Now(), []byte(body))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		fmt.Print(w.Code, " ", w.Body)
	}

	// Unsigned.
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/events", strings.NewReader(body)))
	fmt.Print(w.Code, " ", w.Body)
	// Output:
	// 123 CREATED customers 42
	// 200 ok
	// 200 ok (duplicate)
	// 401 missing signature headers
}

// The middleware puts the verified notification in the request's context
// and leaves the body for the next handler to read.
func ExampleReceiver_Middleware() {
	key := []byte("the event.notification.signature.key")
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	rc, err := receiver.New(receiver.Config{Keys: []signature.Key{key}, Clock: clock})
	if err != nil {
		panic(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := receiver.NotificationFromContext(r.Context())
		raw, _ := io.ReadAll(r.Body)
		fmt.Println(n.Message.EventID, len(raw), "bytes")
		w.WriteHeader(http.StatusAccepted)
	})
	h := rc.Middleware(next)

	body := `{"message":{"eventId":"evt-2","instanceId":"123","events":[]}}`
	req := httptest.NewRequest(http.MethodPost, "/events", strings.NewReader(body))
	req.Header = receivertest.Sign(key, "evt-2", clock.Now(), []byte(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Println(w.Code)
	// Output:
	// evt-2 62 bytes
	// 202
}
