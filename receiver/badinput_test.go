package receiver_test

// TestBadInput runs the Receiver's catalogue of hostile notifications:
// the files in testdata/bad (see its README.md) and, below, the cases
// whose inputs are too large or not UTF-8 for a file.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/casefile"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
)

// badKey signs the notifications; it must leak nowhere.
var badKey = []byte("receiver-bad-input-key")

var badSuite = &casefile.Suite{
	Settings: []string{"method", "path", "sign", "sign.id", "sign.timestamp", "via", "max-body-bytes", "allow-elements-scheme"},
	Files:    []string{"body", "headers"},
	Is: map[string]error{
		"receiver.ErrBadSignature":     receiver.ErrBadSignature,
		"receiver.ErrBadBody":          receiver.ErrBadBody,
		"receiver.ErrTooLarge":         receiver.ErrTooLarge,
		"signature.ErrMissingHeader":   signature.ErrMissingHeader,
		"signature.ErrMalformedHeader": signature.ErrMalformedHeader,
		"signature.ErrNoMatch":         signature.ErrNoMatch,
		"signature.ErrTooOld":          signature.ErrTooOld,
		"signature.ErrTooNew":          signature.ErrTooNew,
	},
	As:      []casefile.ErrType{casefile.TypeOf[*json.SyntaxError](), casefile.TypeOf[*json.UnmarshalTypeError]()},
	Secrets: []string{string(badKey)},
}

// badInputsInGo are the cases whose inputs a file cannot hold.
func badInputsInGo() []*casefile.Case {
	const (
		mb10   = 10 << 20
		signed = `{"message": {"eventId": "e1", "events": [{"eventType": "CREATED", "objectType": "customers", "objectId": "1"}]}}`
	)
	body := func(s string) map[string][]byte { return map[string][]byte{"body": []byte(s)} }
	badBody := casefile.Want{Status: http.StatusBadRequest, Is: []error{receiver.ErrBadBody}, Events: new(0)}
	tooLarge := casefile.Want{Status: http.StatusRequestEntityTooLarge, Is: []error{receiver.ErrTooLarge}, Events: new(0)}
	return []*casefile.Case{{
		Name: "bom", Why: "a byte order mark before a signed body",
		Files: body("\ufeff" + `{"message":{"eventId":"e1"}}`),
		Want:  badBody,
	}, {
		Name: "deep-nesting", Why: "a signed body of 100,000 nested arrays inside raw",
		Files: body(`{"message":{"eventId":"e1","raw":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}}"),
		Want: casefile.Want{Status: http.StatusBadRequest, Body: []string{"not JSON"}, Is: []error{receiver.ErrBadBody},
			Events: new(0)},
	}, {
		Name: "invalid-utf8-event-id", Why: "invalid UTF-8 inside eventId: decoded as encoding/json does, each bad byte U+FFFD",
		Set: map[string]string{"allow-elements-scheme": "true", "sign": "cloud"},
		Files: body(`{"message":{"eventId":"e` + "\xff" +
			`1","events":[{"eventType":"CREATED","objectType":"customers","objectId":"1"}]}}`),
		Want: casefile.Want{Status: http.StatusOK, Events: new(1), Value: new("e\uFFFD1")},
	}, {
		Name: "nul-bytes", Why: "raw NUL bytes in a signed body",
		Files: body(`{"message":{"eventId":"e1"` + "\x00\x00}}"),
		Want:  badBody,
	}, {
		Name: "oversized-body", Why: "a signed body one byte over the 1 MiB limit",
		Files: body(`{"message":{"eventId":"e1","pad":"` + strings.Repeat("x", 1_048_540) + `"}}`),
		Want:  tooLarge,
	}, {
		Name: "oversized-chunked", Why: "a 3 MiB chunked body with no Content-Length, over loopback",
		Set:   map[string]string{"via": "chunked"},
		Files: body(`{"message":{"eventId":"e1","pad":"` + strings.Repeat("x", 3<<20) + `"}}`),
		Want:  tooLarge,
	}, {
		Name: "ten-mb-header-server", Why: "a 10 MB header over loopback: refused by the server with 431, no goroutine left",
		Set: map[string]string{"via": "server"},
		Files: map[string][]byte{"headers": []byte("X-Padding: " + strings.Repeat("p", mb10)),
			"body": []byte(`{"message": {"eventId": "e1"}}`)},
		Want: casefile.Want{Status: http.StatusRequestHeaderFieldsTooLarge, Events: new(0)},
	}, {
		Name:  "ten-mb-id",
		Why:   "a 10 MB webhook-id, correctly signed: it is the id, deduplication keeps a hash, the notification is handled once",
		Set:   map[string]string{"sign": "standard", "sign.id": strings.Repeat("i", mb10)},
		Files: body(signed),
		Want:  casefile.Want{Status: http.StatusOK, Events: new(1)},
	}, {
		Name: "ten-mb-signature-list",
		Why:  "a 10 MB webhook-signature of 400,000 wrong v1 signatures: checked in linear time, refused",
		Set:  map[string]string{"sign": "standard"},
		Files: map[string][]byte{"body": []byte(signed),
			"headers": []byte("Webhook-Signature: " + strings.Repeat("v1,"+strings.Repeat("A", 59)+"= ", 170_000))},
		Want: casefile.Want{Status: http.StatusUnauthorized, Is: []error{receiver.ErrBadSignature}, Events: new(0)},
	}}
}

// TestBadInput sends a case's request to a Receiver keyed with badKey.
// The errors checked are those it logs; want.events counts the
// notifications handled and want.value is the first one's event id.
func TestBadInput(t *testing.T) {
	badSuite.Run(t, badInputsInGo(), runBadReceiver)
}

func runBadReceiver(t *testing.T, c *casefile.Case) casefile.Outcome {
	logs := &casefile.LogCapture{}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	var (
		mu    sync.Mutex
		notes []events.Notification
	)
	cfg := receiver.Config{
		Keys: []signature.Key{badKey}, Clock: clock, Logger: logs.Logger(),
		Handle: func(_ context.Context, n events.Notification) error {
			mu.Lock()
			notes = append(notes, n)
			mu.Unlock()
			return nil
		},
	}
	if s := c.Setting("max-body-bytes", ""); s != "" {
		n, err := strconv.ParseInt(s, 0, 64)
		require.NoError(t, err)
		cfg.MaxBodyBytes = n
	}
	switch s := c.Setting("allow-elements-scheme", "false"); s {
	case "true":
		cfg.AllowElementsScheme = true
	case "false":
	default:
		t.Fatalf("allow-elements-scheme: %q: want true or false", s)
	}
	rc, err := receiver.New(cfg)
	require.NoError(t, err)

	req := c.Request(t, "/element-events")
	body, id := c.Files["body"], c.Setting("sign.id", "msg_bad_input")
	sign := c.Setting("sign", "both")
	switch sign {
	case "none", "standard", "cloud", "both":
	default:
		t.Fatalf("sign: %q: want none, standard, cloud or both", sign)
	}
	if sign == "standard" || sign == "both" {
		casefile.SignStandard(req.Header, badKey, id, c.Setting("sign.timestamp", strconv.FormatInt(clock.Now().Unix(), 10)), body)
	}
	if sign == "cloud" || sign == "both" {
		m := hmac.New(sha256.New, badKey)
		m.Write(body)
		req.Header.Set(signature.HeaderElementsSignature, "sha256="+base64.StdEncoding.EncodeToString(m.Sum(nil)))
		req.Header.Set(signature.HeaderElementsID, id)
	}
	c.SetHeaders(t, req.Header)
	out := c.Serve(t, rc, req)
	out.Logged, out.Logs = logs.Errors(), logs.Lines()
	mu.Lock()
	defer mu.Unlock()
	out.Events = len(notes)
	if len(notes) > 0 {
		out.Value = new(notes[0].Message.EventID)
	}
	return out
}
