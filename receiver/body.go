package receiver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/a12b7632/elementevents/events"
)

// readBody reads at most maxBody bytes; more is an error wrapping
// ErrTooLarge, and the server closes the connection after answering.
func (rc *Receiver) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > rc.maxBody {
		return nil, fmt.Errorf("%w: Content-Length %d is over the limit of %d bytes", ErrTooLarge, r.ContentLength, rc.maxBody)
	}
	if r.Body == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, rc.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, fmt.Errorf("%w: over the limit of %d bytes", ErrTooLarge, rc.maxBody)
		}
		return nil, fmt.Errorf("%w: %w", ErrBadBody, err)
	}
	return buf.Bytes(), nil
}

// decode reads a notification; a body with no message, or a message with
// neither eventId nor events, is not one.
func decode(body []byte) (events.Notification, error) {
	var env struct {
		Message *events.Message `json:"message"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return events.Notification{}, fmt.Errorf("%w: %w", ErrBadBody, err)
	}
	switch {
	case env.Message == nil:
		return events.Notification{}, fmt.Errorf("%w: no message object", ErrBadBody)
	case env.Message.EventID == "" && len(env.Message.Events) == 0:
		return events.Notification{}, fmt.Errorf("%w: message has neither eventId nor events", ErrBadBody)
	}
	return events.Notification{Message: *env.Message}, nil
}
