package receivertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/receiver/receivertest"
	"github.com/a12b7632/elementevents/signature"
)

// Sign a body as the Notifier would, to test a consumer's endpoint.
// Inside a test, NewRequest does this and builds the request.
func ExampleSign() {
	key := []byte("the event.notification.signature.key")
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	rc, _ := receiver.New(receiver.Config{Keys: []signature.Key{key}, Clock: clock})

	body := `{"message":{"eventId":"evt-1","instanceId":"123","events":[]}}`
	req := httptest.NewRequest(http.MethodPost, "/events", strings.NewReader(body))
	req.Header = receivertest.Sign(key, "evt-1", clock.Now(), []byte(body))
	w := httptest.NewRecorder()
	rc.ServeHTTP(w, req)
	fmt.Println(w.Code, req.Header.Get(signature.HeaderWebhookTimestamp))
	// Output: 200 1795521600
}
