package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/jsonscan"
	"github.com/a12b7632/elementevents/javatime"
)

// maxTypeBytes bounds a topic and an object type. Both come from the
// request (WooCommerce does not sign its headers) and end up in every event
// and notification, so a long one is refused rather than passed on.
const maxTypeBytes = 256

// maxPingBody bounds the body read as a vendor's creation ping
// (WooCommerce's is "webhook_id=123").
const maxPingBody = 1 << 10

// payload is a webhook body as the handler received it.
type payload struct {
	// body is the raw body (empty for a GET).
	body []byte

	// signed is what the signature covers: the body, or the raw query
	// string of a GET.
	signed []byte

	// form holds the fields of a form-encoded body or of a GET query, the
	// first value of each; nil when the body is JSON.
	form map[string]string
}

// The values a normalizer reads from each change, in the order of
// normalizer.paths.
const (
	pathObjectType = iota
	pathObjectID
	pathEventType
	pathDate
	numPaths
)

// normalizer turns webhook bodies into events as an element definition's
// Webhook section says. It is built once per instance and is safe for
// concurrent use.
//
// A JSON body is validated in one pass ([jsonscan.Paths.FindValid], which
// accepts what json.Valid accepts) that also picks the few values an event
// needs; the rest of a WooCommerce order, which nobody reads here, is never
// decoded.
type normalizer struct {
	instanceID string
	elementKey string // the definition's key
	hubKey     string

	topicHeader string // canonical; "" when the vendor sends no topic
	topicName   string // as the definition spells it, for messages
	topics      element.TopicMap

	changesPath string          // the definition's ChangesPath
	changes     *jsonscan.Paths // ChangesPath, compiled
	paths       [numPaths]string
	picker      *jsonscan.Paths  // paths, compiled
	dates       *javatime.Layout // nil: RFC 3339
}

// newNormalizer compiles a definition for the instance id.
func newNormalizer(instanceID string, def *element.Definition) (*normalizer, error) {
	w := def.Webhook
	n := &normalizer{
		instanceID:  instanceID,
		elementKey:  def.Key,
		hubKey:      def.Hub,
		topics:      w.Topics,
		changesPath: w.ChangesPath,
		changes:     jsonscan.Compile(w.ChangesPath),
		paths: [numPaths]string{
			pathObjectType: w.ObjectTypePath,
			pathObjectID:   w.ObjectIDPath,
			pathEventType:  w.EventTypePath,
			pathDate:       w.DatePath,
		},
	}
	n.picker = jsonscan.Compile(n.paths[:]...)
	if w.TopicHeader != "" {
		n.topicHeader = textproto.CanonicalMIMEHeaderKey(w.TopicHeader)
		n.topicName = w.TopicHeader
	}
	if w.DateFormat != "" {
		df, err := javatime.NewLayout(w.DateFormat, w.DateTimezone)
		if err != nil {
			return nil, fmt.Errorf("webhook definition: dateFormat: %w", err)
		}
		n.dates = df
	}
	return n, nil
}

// normalize returns the events of one webhook, and the raw JSON to publish
// with them: the body itself, or for form and query payloads their fields
// as a flat JSON object. topic is the value of the topic header. now dates
// the changes that carry no date. Errors wrap [ErrBadBody].
func (n *normalizer) normalize(in payload, topic string, now time.Time) ([]events.Event, json.RawMessage, error) {
	if n.topicHeader != "" && topic != "" {
		if why := typeProblem(topic); why != "" {
			return nil, nil, fmt.Errorf("%w: %s header %s", ErrBadBody, n.topicName, why)
		}
	}
	if in.form != nil {
		raw, err := json.Marshal(in.form)
		if err != nil { // a map of strings always marshals
			return nil, nil, fmt.Errorf("%w: %w", ErrBadBody, err)
		}
		var vals [numPaths]string
		for p, path := range n.paths {
			vals[p] = in.form[path] // forms are flat: the path is the name
		}
		ev, err := n.event(vals, raw, topic, now)
		if err != nil {
			return nil, nil, err
		}
		return []events.Event{ev}, raw, nil
	}
	body := bytes.Trim(in.body, " \t\r\n") // JSON's space, not Unicode's
	if n.changesPath == "" && len(body) > 0 && body[0] == '{' {
		// The common case, one change: validate and pick in one pass.
		var vals [numPaths]jsonscan.Value
		if n.picker.FindValid(body, vals[:]) != nil {
			return nil, nil, invalidJSON(body)
		}
		ev, err := n.change(&vals, body, topic, now)
		if err != nil {
			return nil, nil, err
		}
		return []events.Event{ev}, in.body, nil
	}
	changes, err := n.split(body)
	if err != nil {
		return nil, nil, err
	}
	evs := make([]events.Event, 0, len(changes))
	for _, c := range changes {
		var vals [numPaths]jsonscan.Value
		if err := n.picker.Find(c, vals[:]); err != nil { // validated by split
			return nil, nil, fmt.Errorf("%w: %w", ErrBadBody, err)
		}
		ev, err := n.change(&vals, c, topic, now)
		if err != nil {
			return nil, nil, err
		}
		evs = append(evs, ev)
	}
	return evs, in.body, nil
}

// change builds the event of one change, the JSON object raw, from the
// values found at the paths.
func (n *normalizer) change(found *[numPaths]jsonscan.Value, raw []byte, topic string, now time.Time) (events.Event, error) {
	vals, err := n.values(found, raw)
	if err != nil {
		return events.Event{}, err
	}
	return n.event(vals, json.RawMessage(raw), topic, now)
}

// invalidJSON describes a body that is not valid JSON; only now is it
// decoded, for the position of the error.
func invalidJSON(body []byte) error {
	if err := json.Unmarshal(body, new(json.RawMessage)); err != nil {
		return fmt.Errorf("%w: body is not valid JSON: %w", ErrBadBody, err)
	}
	return fmt.Errorf("%w: body is not valid JSON", ErrBadBody)
}

// split validates a JSON body and returns its changes, each a JSON object:
// the elements of the array at ChangesPath (none when it is absent or null),
// of a top-level array, or the body as one change.
func (n *normalizer) split(body []byte) ([][]byte, error) {
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrBadBody)
	}
	// The changes are found in the pass that validates the body.
	var at [1]jsonscan.Value
	if n.changes.FindValid(body, at[:]) != nil {
		return nil, invalidJSON(body)
	}
	list := body
	switch {
	case n.changesPath != "":
		if body[0] != '{' {
			return nil, fmt.Errorf("%w: body is not a JSON object", ErrBadBody)
		}
		switch at[0].Kind {
		case jsonscan.Absent, jsonscan.Null:
			return nil, nil // nothing changed
		case jsonscan.Array:
			list = at[0].Raw(body)
		default:
			return nil, fmt.Errorf("%w: %s is not an array", ErrBadBody, n.changesPath)
		}
	case body[0] == '{':
		return [][]byte{body}, nil
	case body[0] != '[':
		return nil, fmt.Errorf("%w: body is not a JSON object", ErrBadBody)
	}
	changes, err := jsonscan.Elements(list)
	if err != nil { // validated above
		return nil, fmt.Errorf("%w: %w", ErrBadBody, err)
	}
	for i, c := range changes {
		if c[0] != '{' {
			return nil, fmt.Errorf("%w: change %d is not a JSON object", ErrBadBody, i)
		}
	}
	return changes, nil
}

// values turns the values found at the paths of a change, the JSON
// object doc, into strings: a string unquoted, a number or boolean as
// written, "" for null or absent. An object or an array is an error: the
// path names something that is not an id, a type or a date.
func (n *normalizer) values(found *[numPaths]jsonscan.Value, doc []byte) ([numPaths]string, error) {
	var vals [numPaths]string
	for i, v := range found {
		switch v.Kind {
		case jsonscan.Object, jsonscan.Array:
			return vals, fmt.Errorf("%w: %s is an object or an array, want a string or a number", ErrBadBody, n.paths[i])
		}
		vals[i], _ = v.Text(doc) // validated with the body
	}
	return vals, nil
}

// event builds the event of one change from the values read at the paths
// ("" when absent). The object type and event type come from their paths
// when the change has them, else from the topic.
func (n *normalizer) event(vals [numPaths]string, raw json.RawMessage, topic string, now time.Time) (events.Event, error) {
	var objectType, eventType string
	if topic != "" && n.topicHeader != "" {
		objectType, eventType = n.topics.Map(topic)
	}
	fromPath := false
	if v := vals[pathObjectType]; v != "" {
		objectType = objectTypeOf(n.topics, v)
		fromPath = true
	}
	if objectType == "" {
		return events.Event{}, n.noObjectType()
	}
	if why := typeProblem(objectType); why != "" {
		if fromPath {
			return events.Event{}, fmt.Errorf("%w: object type %s (at %s)", ErrBadBody, why, n.paths[pathObjectType])
		}
		return events.Event{}, fmt.Errorf("%w: object type %s (from the %s header)", ErrBadBody, why, n.topicName)
	}
	if v := vals[pathEventType]; v != "" {
		eventType = eventTypeOf(n.topics, v)
	}
	if eventType == "" {
		eventType = string(events.Unknown)
	}
	date := now
	if v := vals[pathDate]; v != "" {
		// A date the definition's format cannot read is the vendor's or
		// the definition's mistake, not a reason to lose the change: it is
		// dated when received, like a change without a date.
		if t, err := n.parseDate(v); err == nil {
			date = t
		}
	}
	date = date.UTC()
	t := events.Type(eventType)
	objectID := vals[pathObjectID]
	return events.Event{
		ID:         events.NewID(n.instanceID, objectType, objectID, t, date),
		Type:       t,
		ObjectType: objectType,
		ObjectID:   objectID,
		ElementKey: n.elementKey,
		HubKey:     n.hubKey,
		Date:       date,
		Raw:        raw,
	}, nil
}

func (n *normalizer) parseDate(s string) (time.Time, error) {
	if n.dates != nil {
		return n.dates.Parse(s)
	}
	return time.Parse(time.RFC3339Nano, s)
}

// typeProblem says what is wrong with a topic or an object type longer
// than maxTypeBytes or holding a control character, or returns "".
func typeProblem(s string) string {
	if len(s) > maxTypeBytes {
		return "is " + strconv.Itoa(len(s)) + " bytes, over the limit of " + strconv.Itoa(maxTypeBytes)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "holds a control character"
		}
	}
	return ""
}

func (n *normalizer) noObjectType() error {
	var where []string
	if n.topicHeader != "" {
		where = append(where, "no "+n.topicName+" header")
	}
	if p := n.paths[pathObjectType]; p != "" {
		where = append(where, "no value at "+p)
	}
	if len(where) == 0 {
		where = append(where, "the definition names no topic header or path")
	}
	return fmt.Errorf("%w: no object type (%s)", ErrBadBody, strings.Join(where, ", "))
}

// badBodyReason is the 400 text: the error without the sentinel's prefix,
// cut short.
func badBodyReason(err error) string {
	s := strings.TrimPrefix(err.Error(), ErrBadBody.Error()+": ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "..."
	}
	return s
}

// isPing reports whether a request is the vendor's unsigned creation
// ping: a small form body with the definition's ping field, and neither a
// signature nor a topic header.
func (p *prepared) isPing(in payload, h http.Header) bool {
	if p.pingField == "" || len(in.body) == 0 || len(in.body) > maxPingBody || p.verify.present(h) {
		return false
	}
	if p.norm.topicHeader != "" && len(h[p.norm.topicHeader]) > 0 {
		return false
	}
	if b := bytes.TrimSpace(in.body); len(b) == 0 || b[0] == '{' || b[0] == '[' {
		return false
	}
	vals, err := url.ParseQuery(string(in.body))
	return err == nil && vals.Get(p.pingField) != ""
}

// flatten keeps the first value of each form field.
func flatten(v url.Values) map[string]string {
	m := make(map[string]string, len(v))
	for k, vs := range v {
		if len(vs) > 0 {
			m[k] = vs[0]
		}
	}
	return m
}
