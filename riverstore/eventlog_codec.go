package riverstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/notify"
)

// loggedColumns are the columns of elementevents_event_log that
// scanLogged reads, in its order.
const loggedColumns = "id, tenant, instance, object_type, event_types, events, body, status, created, updated, attempts, reason"

// storedAttempt is one element of the attempts column. At is RFC 3339 in
// UTC to the microsecond, as the timestamptz columns keep times; Response
// is base64 (encoding/json's []byte), being any bytes. An Error that
// jsonb cannot hold (a NUL byte, invalid UTF-8) is kept in ErrorBytes,
// base64, so it comes back as it was.
type storedAttempt struct {
	At         string `json:"at"`
	Status     int    `json:"status"`
	LatencyNS  int64  `json:"latency_ns"`
	Error      string `json:"error,omitempty"`
	ErrorBytes []byte `json:"error_bytes,omitempty"`
	Response   []byte `json:"response,omitempty"`
}

// attemptTime is the layout of storedAttempt.At.
const attemptTime = "2006-01-02T15:04:05.000000Z07:00"

// encodeAttempts returns the jsonb text of as, "[]" when there are none.
func encodeAttempts(as ...notify.Attempt) (string, error) {
	out := make([]storedAttempt, len(as))
	for i, a := range as {
		s := storedAttempt{
			At:        a.At.UTC().Truncate(time.Microsecond).Format(attemptTime),
			Status:    a.Status,
			LatencyNS: int64(a.Latency),
			Response:  a.Response,
		}
		if jsonbText(a.Error) {
			s.Error = a.Error
		} else {
			s.ErrorBytes = []byte(a.Error)
		}
		out[i] = s
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encode attempts: %w", err)
	}
	return string(b), nil
}

// decodeAttempts reads the attempts column; nil when it holds none.
func decodeAttempts(b []byte) ([]notify.Attempt, error) {
	var ss []storedAttempt
	if err := json.Unmarshal(b, &ss); err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, nil
	}
	out := make([]notify.Attempt, len(ss))
	for i, s := range ss {
		at, err := time.Parse(time.RFC3339Nano, s.At)
		if err != nil {
			return nil, fmt.Errorf("attempt %d: at: %w", i, err)
		}
		out[i] = notify.Attempt{At: at.UTC(), Status: s.Status, Latency: time.Duration(s.LatencyNS), Error: s.Error, Response: s.Response}
		if s.ErrorBytes != nil {
			out[i].Error = string(s.ErrorBytes)
		}
	}
	return out, nil
}

// jsonbText reports whether s can be a jsonb string as it is: jsonb
// refuses \u0000, and encoding/json would replace invalid UTF-8.
func jsonbText(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// checkLogged refuses what every log refuses (engine.LoggedEvent.Check)
// and text columns PostgreSQL cannot hold.
func checkLogged(e engine.LoggedEvent) error {
	if err := e.Check(); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"LoggedEvent.ID", e.ID}, {"LoggedEvent.Tenant", e.Tenant}, {"LoggedEvent.Instance", e.Instance},
		{"LoggedEvent.ObjectType", e.ObjectType}, {"LoggedEvent.Reason", e.Reason},
	} {
		if err := checkText(f.name, f.v); err != nil {
			return fmt.Errorf("event %q: %w", truncateID(e.ID), err)
		}
	}
	if int64(e.Events) != int64(int32(e.Events)) {
		return fmt.Errorf("%w: event %q: LoggedEvent.Events is %d, more than an integer column holds", engine.ErrInvalid, truncateID(e.ID), e.Events)
	}
	for i, t := range e.EventTypes {
		if err := checkText(fmt.Sprintf("LoggedEvent.EventTypes[%d]", i), t); err != nil {
			return fmt.Errorf("event %q: %w", truncateID(e.ID), err)
		}
	}
	return nil
}

// checkUpdate refuses what every log refuses (engine.EventUpdate.Check)
// and text PostgreSQL cannot hold.
func checkUpdate(u engine.EventUpdate) error {
	if err := u.Check(); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"EventUpdate.ID", u.ID}, {"EventUpdate.Reason", u.Reason}} {
		if err := checkText(f.name, f.v); err != nil {
			return fmt.Errorf("event %q: %w", truncateID(u.ID), err)
		}
	}
	return nil
}

// truncateID shortens an id for an error message.
func truncateID(id string) string {
	const most = 80
	if len(id) <= most {
		return id
	}
	return strings.ToValidUTF8(id[:most], "") + "..."
}

// scanLogged reads a row of loggedColumns.
func scanLogged(row pgx.Row) (engine.LoggedEvent, error) {
	var (
		e        engine.LoggedEvent
		status   string
		events   int32
		attempts []byte
	)
	err := row.Scan(&e.ID, &e.Tenant, &e.Instance, &e.ObjectType, &e.EventTypes, &events, &e.Body,
		&status, &e.Created, &e.Updated, &attempts, &e.Reason)
	if err != nil {
		return engine.LoggedEvent{}, err
	}
	e.Status, e.Events = engine.EventStatus(status), int(events)
	e.Created, e.Updated = e.Created.UTC(), e.Updated.UTC()
	if e.Attempts, err = decodeAttempts(attempts); err != nil {
		return engine.LoggedEvent{}, fmt.Errorf("%w: logged event %q: attempts: %w", ErrCorrupt, truncateID(e.ID), err)
	}
	return e, nil
}
