package element

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/signature"
)

// decodeConfiguration reads the event.* keys of a configuration object into
// Events and keeps every key. It returns the problems with the values; the
// Configuration is usable for the keys that were fine.
func decodeConfiguration(values map[string]json.RawMessage) (Configuration, problemList) {
	if values == nil {
		values = make(map[string]json.RawMessage)
	}
	c := Configuration{values: values}
	e := &c.Events
	e.RefreshInterval = vocab.DefaultRefreshInterval
	var problems problemList
	fail := func(key string, err error) { problems.add(key, err.Error()) }

	if raw, ok := present(values, vocab.KeyEventsEnabled); ok {
		v, err := decodeBool(raw)
		if err != nil {
			fail(vocab.KeyEventsEnabled, err)
		}
		e.Enabled = v
	}
	if raw, ok := present(values, vocab.KeyVendorType); ok {
		s, err := decodeString(raw)
		switch {
		case err != nil:
			fail(vocab.KeyVendorType, err)
		default:
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "webhook", "webhooks":
				e.VendorType = vendorWebhook
			case "polling", "poller", "poll":
				e.VendorType = vendorPolling
			case "":
			default:
				fail(vocab.KeyVendorType, fmt.Errorf("must be webhook or polling, got %s", quote(s)))
			}
		}
	}
	if raw, ok := present(values, vocab.KeyCallbackURL); ok {
		s, err := decodeString(raw)
		if err != nil {
			fail(vocab.KeyCallbackURL, err)
		}
		e.CallbackURL = strings.TrimSpace(s)
	}
	if raw, ok := present(values, vocab.KeySignatureKey); ok {
		s, err := decodeString(raw)
		if err != nil {
			fail(vocab.KeySignatureKey, err)
		}
		e.SignatureKey = signature.Key(s)
	}
	if raw, ok := present(values, vocab.KeyRefreshInterval); ok {
		d, err := decodeDuration(raw, time.Minute)
		switch {
		case err != nil:
			fail(vocab.KeyRefreshInterval, fmt.Errorf("%w (minutes)", err))
		case d != 0 || !isEmptyString(raw):
			e.RefreshInterval = d
		}
	}
	if raw, ok := present(values, vocab.KeyObjects); ok {
		objs, err := decodeList(raw)
		if err != nil {
			fail(vocab.KeyObjects, err)
		}
		e.Objects = objs
	}
	if raw, ok := present(values, vocab.KeyPollerConfiguration); ok {
		res, errs := decodeResources(raw)
		problems = append(problems, errs...)
		e.Resources = res
	}
	if raw, ok := present(values, vocab.KeyPollerURLs); ok && len(e.Resources) == 0 {
		s, err := decodeString(raw)
		if err != nil {
			fail(vocab.KeyPollerURLs, err)
		} else if res, err := parseLegacyURLs(s); err != nil {
			problems.wrap(vocab.KeyPollerURLs, err)
		} else {
			e.Resources = res
		}
	}
	if e.VendorType == "" && len(e.Resources) > 0 {
		// Many documented bodies configure resources without a vendor
		// type: resources only make sense for polling.
		e.VendorType = vendorPolling
	}
	return c, problems
}

// decodeResources reads event.poller.configuration: an object of resources
// by name, or the same object JSON-encoded in a string.
func decodeResources(raw json.RawMessage) (map[string]Resource, problemList) {
	key := vocab.KeyPollerConfiguration
	raw = bytes.TrimSpace(raw)
	encoded := raw[0] == '"'
	if encoded {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, problemList{{Path: key, Message: "must be an object or a JSON-encoded object"}}
		}
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		raw = json.RawMessage(bytes.TrimSpace([]byte(s)))
	}
	var byName map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byName); err != nil {
		const want = "must be an object of resources by name"
		var te *json.UnmarshalTypeError
		if !encoded || errors.As(err, &te) {
			return nil, problemList{{Path: key, Message: want + ", got " + kindOf(raw)}}
		}
		// The position is in the string, not the body: it goes in the
		// message, and Err stays nil, as the body itself is valid JSON.
		se := newSyntaxError(raw, err)
		return nil, problemList{{Path: key, Message: want + "; the JSON in its string is invalid " + strings.TrimPrefix(se.Error(), ErrSyntax.Error()+" ")}}
	}
	if len(byName) == 0 {
		return nil, nil
	}
	out := make(map[string]Resource, len(byName))
	var problems problemList
	for name, r := range byName {
		res, errs := decodeResource(key+"."+name, r)
		problems = append(problems, errs...)
		out[name] = res
	}
	return out, problems
}

// resourceFields and datesFields are the fields a resource and its
// datesConfiguration may have.
var (
	resourceFields = []string{"url", "idField", "datesConfiguration", "filterByUpdatedDate", "filterByCurrentDate", "createdCheckTolerance", "pageSize", "pollDelay", "recordsPath"}
	datesFields    = []string{"updatedDateField", "updatedDateFormat", "updatedDateTimezone", "createdDateField", "createdDateFormat", "createdDateTimezone", "createdCheckTolerance"}
)

// didYouMean returns `, did you mean "x"?` when name differs from a known
// name only in case, or "".
func didYouMean(name string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return fmt.Sprintf(", did you mean %q?", k)
		}
	}
	return ""
}

// decodeResource reads one resource of event.poller.configuration. Unknown
// fields are reported: a misspelt idField must not pass silently.
func decodeResource(prefix string, raw json.RawMessage) (Resource, problemList) {
	r := Resource{FilterByUpdatedDate: true}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return r, problemList{{Path: prefix, Message: "must be an object, got " + kindOf(bytes.TrimSpace(raw))}}
	}
	var problems problemList
	fail := func(field string, err error) { problems.add(prefix+"."+field, err.Error()) }
	str := func(field string, v json.RawMessage, dst *string) {
		s, err := decodeString(v)
		if err != nil {
			fail(field, err)
		}
		*dst = strings.TrimSpace(s)
	}
	var toleranceSet bool
	for field, v := range fields {
		if isNull(v) {
			continue
		}
		var err error
		switch field {
		case "url":
			str(field, v, &r.URL)
		case "idField":
			str(field, v, &r.IDField)
		case "recordsPath":
			str(field, v, &r.RecordsPath)
		case "filterByUpdatedDate":
			if r.FilterByUpdatedDate, err = decodeBool(v); isEmptyString(v) {
				r.FilterByUpdatedDate = true
			}
		case "filterByCurrentDate":
			r.FilterByCurrentDate, err = decodeBool(v)
		case "createdCheckTolerance":
			r.CreatedCheckTolerance, err = decodeDuration(v, time.Second)
			toleranceSet = true
		case "pollDelay":
			r.PollDelay, err = decodeDuration(v, time.Second)
		case "pageSize":
			var n int64
			n, err = decodeInt(v)
			r.PageSize = int(n)
		case "datesConfiguration":
			var tol time.Duration
			var hasTol bool
			var errs problemList
			r.Dates, tol, hasTol, errs = decodeDates(prefix+"."+field, v)
			problems = append(problems, errs...)
			if hasTol && !toleranceSet {
				r.CreatedCheckTolerance = tol
			}
		default:
			err = fmt.Errorf("unknown field%s; known fields are %s", didYouMean(field, resourceFields), strings.Join(resourceFields, ", "))
		}
		if err != nil {
			fail(field, err)
		}
	}
	return r, problems
}

// decodeDates reads a datesConfiguration object, which may also carry
// createdCheckTolerance (seconds).
func decodeDates(prefix string, raw json.RawMessage) (d Dates, tolerance time.Duration, hasTolerance bool, problems problemList) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return d, 0, false, problemList{{Path: prefix, Message: "must be an object, got " + kindOf(bytes.TrimSpace(raw))}}
	}
	for field, v := range fields {
		if isNull(v) {
			continue
		}
		var dst *string
		switch field {
		case "updatedDateField":
			dst = &d.UpdatedField
		case "updatedDateFormat":
			dst = &d.UpdatedFormat
		case "updatedDateTimezone":
			dst = &d.UpdatedTimezone
		case "createdDateField":
			dst = &d.CreatedField
		case "createdDateFormat":
			dst = &d.CreatedFormat
		case "createdDateTimezone":
			dst = &d.CreatedTimezone
		case "createdCheckTolerance":
			t, err := decodeDuration(v, time.Second)
			if err != nil {
				problems.add(prefix+"."+field, err.Error())
			}
			tolerance, hasTolerance = t, true
			continue
		default:
			problems.addf(prefix+"."+field, "unknown field%s; known fields are %s", didYouMean(field, datesFields), strings.Join(datesFields, ", "))
			continue
		}
		s, err := decodeString(v)
		if err != nil {
			problems.add(prefix+"."+field, err.Error())
		}
		*dst = strings.TrimSpace(s)
	}
	return d, tolerance, hasTolerance, problems
}

// present returns the raw value of key unless it is absent or null.
func present(values map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	raw, ok := values[key]
	if !ok || isNull(raw) {
		return nil, false
	}
	return bytes.TrimSpace(raw), true
}

func isEmptyString(raw json.RawMessage) bool {
	s, err := decodeString(raw)
	return err == nil && strings.TrimSpace(s) == ""
}

// decodeString accepts a JSON string, or a number or boolean as written.
func decodeString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("must be a string")
		}
		return s, nil
	case raw[0] == '{' || raw[0] == '[':
		return "", fmt.Errorf("must be a string, got %s", kindOf(raw))
	default:
		return string(raw), nil
	}
}

// decodeBool accepts true and false, as JSON booleans or strings in any
// case. An empty string is false.
func decodeBool(raw json.RawMessage) (bool, error) {
	s, err := decodeString(raw)
	if err != nil {
		return false, fmt.Errorf("must be true or false, got %s", kindOf(raw))
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, fmt.Errorf("must be true or false, got %s", quote(s))
}

// decodeInt accepts a JSON integer or a string holding one.
func decodeInt(raw json.RawMessage) (int64, error) {
	s, err := decodeString(raw)
	if err != nil {
		return 0, fmt.Errorf("must be a whole number, got %s", kindOf(raw))
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("is out of range, got %s", quote(s))
	case err != nil:
		return 0, fmt.Errorf("must be a whole number, got %s", quote(s))
	}
	return n, nil
}

// decodeDuration accepts a number of units (a JSON number or a string
// holding one, fractions allowed) and returns it as a Duration.
func decodeDuration(raw json.RawMessage, unit time.Duration) (time.Duration, error) {
	s, err := decodeString(raw)
	if err != nil {
		return 0, fmt.Errorf("must be a number, got %s", kindOf(raw))
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("is out of range, got %s", quote(s))
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		return 0, fmt.Errorf("must be a number, got %s", quote(s))
	}
	d := f * float64(unit)
	if math.Abs(d) > float64(math.MaxInt64/2) {
		return 0, fmt.Errorf("is out of range, got %s", quote(s))
	}
	return time.Duration(d), nil
}

// decodeList accepts a comma-separated string or an array of strings.
func decodeList(raw json.RawMessage) ([]string, error) {
	var list []string
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("must be a comma-separated list or an array of strings")
		}
	} else {
		s, err := decodeString(raw)
		if err != nil {
			return nil, fmt.Errorf("must be a comma-separated list, got %s", kindOf(raw))
		}
		list = strings.Split(s, ",")
	}
	out := list[:0]
	for _, v := range list {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func kindOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
