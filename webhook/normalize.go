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
// A JSON body is validated in one pass (validJSON, which accepts what
// json.Valid accepts) that also picks the few members an event needs; the
// rest of a WooCommerce order, which nobody reads here, is never decoded.
// See jsonscan.go.
type normalizer struct {
	instanceID string
	elementKey string // the definition's key
	hubKey     string

	topicHeader string // canonical; "" when the vendor sends no topic
	topicName   string // as the definition spells it, for messages
	topics      element.TopicMap

	changes dottedPath
	paths   [numPaths]dottedPath
	dates   *javatime.Layout // nil: RFC 3339
}

// dottedPath is a compiled dotted path into a JSON object ("billing.email").
type dottedPath struct {
	full string
	segs []string
}

func compilePath(p string) dottedPath {
	if p == "" {
		return dottedPath{}
	}
	return dottedPath{full: p, segs: strings.Split(p, ".")}
}

// newNormalizer compiles a definition for the instance id.
func newNormalizer(instanceID string, def *element.Definition) (*normalizer, error) {
	w := def.Webhook
	n := &normalizer{
		instanceID: instanceID,
		elementKey: def.Key,
		hubKey:     def.Hub,
		topics:     w.Topics,
		changes:    compilePath(w.ChangesPath),
		paths: [numPaths]dottedPath{
			pathObjectType: compilePath(w.ObjectTypePath),
			pathObjectID:   compilePath(w.ObjectIDPath),
			pathEventType:  compilePath(w.EventTypePath),
			pathDate:       compilePath(w.DatePath),
		},
	}
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
			vals[p] = in.form[path.full] // forms are flat: the path is the name
		}
		ev, err := n.event(vals, raw, topic, now)
		if err != nil {
			return nil, nil, err
		}
		return []events.Event{ev}, raw, nil
	}
	body := trimSpace(in.body)
	if n.changes.full == "" && len(body) > 0 && body[0] == '{' {
		// The common case, one change: validate and pick in one pass.
		p := picker{paths: &n.paths}
		if !validObjectPicking(body, &p) {
			return nil, nil, invalidJSON(body)
		}
		ev, err := n.change(&p, body, topic, now)
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
		p := picker{paths: &n.paths}
		forMembers(c, p.member)
		ev, err := n.change(&p, c, topic, now)
		if err != nil {
			return nil, nil, err
		}
		evs = append(evs, ev)
	}
	return evs, in.body, nil
}

// change builds the event of one change, a JSON object whose members p
// has picked.
func (n *normalizer) change(p *picker, raw []byte, topic string, now time.Time) (events.Event, error) {
	vals, err := n.values(p)
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
	if !validJSON(body) {
		return nil, invalidJSON(body)
	}
	list := body
	if n.changes.full != "" {
		if body[0] != '{' {
			return nil, fmt.Errorf("%w: body is not a JSON object", ErrBadBody)
		}
		v, ok := follow(body, n.changes.segs)
		if !ok || v[0] == 'n' {
			return nil, nil // nothing changed
		}
		if v[0] != '[' {
			return nil, fmt.Errorf("%w: %s is not an array", ErrBadBody, n.changes.full)
		}
		list = v
	} else if body[0] != '[' {
		if body[0] != '{' {
			return nil, fmt.Errorf("%w: body is not a JSON object", ErrBadBody)
		}
		return [][]byte{body}, nil
	}
	changes := elements(list)
	for i, c := range changes {
		if c[0] != '{' {
			return nil, fmt.Errorf("%w: change %d is not a JSON object", ErrBadBody, i)
		}
	}
	return changes, nil
}

// values reads the values of the paths from the members p picked,
// following the paths' further segments. "" means absent.
func (n *normalizer) values(p *picker) ([numPaths]string, error) {
	var vals [numPaths]string
	for i, raw := range p.raws {
		if raw == nil {
			continue
		}
		path := &n.paths[i]
		if len(path.segs) > 1 {
			var ok bool
			if raw, ok = follow(raw, path.segs[1:]); !ok {
				continue
			}
		}
		v, err := scalar(raw, path.full)
		if err != nil {
			return vals, err
		}
		vals[i] = v
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
			return events.Event{}, fmt.Errorf("%w: object type %s (at %s)", ErrBadBody, why, n.paths[pathObjectType].full)
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
	if p := n.paths[pathObjectType].full; p != "" {
		where = append(where, "no value at "+p)
	}
	if len(where) == 0 {
		where = append(where, "the definition names no topic header or path")
	}
	return fmt.Errorf("%w: no object type (%s)", ErrBadBody, strings.Join(where, ", "))
}

// scalar returns a JSON string unquoted, or a number or boolean as
// written; null is "". An object or an array is an error: the path names
// something that is not an id, a type or a date.
func scalar(raw []byte, path string) (string, error) {
	switch raw[0] {
	case 'n':
		return "", nil
	case '"':
		return unquote(raw), nil
	case '{', '[':
		return "", fmt.Errorf("%w: %s is an object or an array, want a string or a number", ErrBadBody, path)
	}
	return string(raw), nil
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
