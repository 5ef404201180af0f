package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/a12b7632/elementevents/element"
)

// formField is one control of the instance form.
type formField struct {
	ID, Name, Label, Value string
	Hint                   string
	Password               bool   // rendered empty; empty keeps the stored value
	Stored                 bool   // a password field with a value stored
	DatePattern            string // a date format field: the id of its zone field
	Error                  string
}

// formObject is one object of the element: its checkbox and its poller
// configuration (the pencil).
type formObject struct {
	Name    string
	ID      string
	Checked bool
	Open    bool // a field in it has a problem
	Fields  []formField
}

// formView is what instance_form.html renders.
type formView struct {
	Action                        string // the path the form posts to, under the prefix
	Element                       string
	ElementName                   string
	Version                       int64
	Name, Tags                    formField
	Vendor                        []formField
	Enabled                       bool
	VendorType                    string
	Callback                      formField
	Signature                     formField
	Refresh                       formField
	Objects                       []formObject
	OptionalOpen                  bool // a field under "Show optional fields" has a problem
	JSON                          formField
	JSONOpen                      bool     // the JSON view was the one saved
	Problems                      []string // problems with no field of their own
	VendorTypeError, ObjectsError string
}

// problems maps a problem path to its message; the view takes each one
// it shows, and those left are listed at the top.
type problems map[string]string

// take returns and removes the message for path.
func (p problems) take(path string) string {
	m := p[path]
	delete(p, path)
	return m
}

// newFormView builds the form for body b of def, with the problems of
// its last save; stored is the stored body (empty for a new instance),
// which says which secrets an empty field keeps. Secrets are never put in
// a value.
func newFormView(def *element.Definition, b, stored body, version int64, ps problems) formView {
	cfg := b.object("configuration")
	storedCfg := stored.object("configuration")
	field := func(key, label string) formField {
		f := formField{ID: fieldID(key), Name: fieldName(key), Label: label, Error: ps.take(key)}
		if element.IsSecretKey(key) {
			f.Password = true
			_, f.Stored = storedCfg[key]
		} else {
			f.Value = cfg.str(key)
		}
		return f
	}
	v := formView{Element: def.Key, ElementName: def.Name, Version: version}
	v.Name = formField{ID: "f-name", Name: "name", Label: "Name", Value: b.str("name"), Error: ps.take("name")}
	v.Tags = formField{ID: "f-tags", Name: "tags", Label: "Tags", Hint: "Comma-separated.",
		Value: strings.Join(tagList(b), ", "), Error: ps.take("tags")}
	for _, k := range vendorKeys(def) {
		f := field(k, k)
		if k == def.Webhook.SecretKey {
			f.Hint = "Webhook instances only: the secret the vendor signs its webhooks with."
		}
		v.Vendor = append(v.Vendor, f)
	}
	v.Enabled = cfg.str(keyEnabled) == "true"
	v.VendorType = cfg.str(keyVendorType)
	switch v.VendorType {
	case "webhooks":
		v.VendorType = "webhook"
	case "":
		v.VendorType = "polling"
	}
	v.VendorTypeError = ps.take(keyVendorType)
	v.Callback = field(keyCallbackURL, "Event Notification Callback URL")
	v.Signature = field(keySignatureKey, "Event Notification Signature Key")
	v.Refresh = field(keyRefresh, "Event poller refresh interval (mins)")
	if v.Refresh.Value == "" {
		v.Refresh.Value = defaultRefresh
	}
	pollers := cfg.object(keyPollerConfig)
	ticked := splitTags(cfg.str(keyObjects))
	v.ObjectsError = strings.Join(nonEmpty(ps.take(keyObjects), ps.take(keyPollerConfig)), "; ")
	for _, name := range objectNames(def, pollers) {
		res := pollers.object(name)
		if _, ok := pollers[name]; !ok {
			res = defaultResource(def, name)
		}
		dates := res.object("datesConfiguration")
		_, configured := pollers[name]
		o := formObject{Name: name, ID: "o-" + safeID(name), Checked: configured || slices.Contains(ticked, name)}
		for _, pf := range pollerFields {
			src := res
			if isDatesMember(pf.member) {
				src = dates
			}
			f := formField{ID: o.ID + "-" + pf.member, Name: pollerName(name, pf.member), Label: pf.label,
				Value: src.str(pf.member), Error: ps.take(pollerPath(name, pf.member))}
			if strings.HasSuffix(pf.member, "DateFormat") {
				f.DatePattern = o.ID + "-" + strings.TrimSuffix(pf.member, "Format") + "Timezone"
				f.Hint = "A Java date pattern, such as yyyy-MM-dd'T'HH:mm:ss."
			}
			o.Open = o.Open || f.Error != ""
			o.Fields = append(o.Fields, f)
		}
		// A problem with the resource as a whole shows at its URL.
		if m := ps.take(keyPollerConfig + "." + name); m != "" {
			o.Fields[0].Error = strings.Join(nonEmpty(o.Fields[0].Error, m), "; ")
			o.Open = true
		}
		v.Objects = append(v.Objects, o)
	}
	v.OptionalOpen = v.Signature.Error != "" || v.Refresh.Error != "" || v.ObjectsError != ""
	for _, o := range v.Objects {
		v.OptionalOpen = v.OptionalOpen || o.Open
	}
	v.JSON = formField{ID: "f-json", Name: "json", Label: "The /instances body", Value: redactedJSON(b),
		Hint: `Secrets show as "***"; leave them so to keep the stored values.`}
	v.Problems = listProblems(ps)
	return v
}

// problemsOf maps the problems of a failed save by path; ok is false when
// err is no validation or syntax problem (a failure to log).
func problemsOf(err error) (ps problems, syntax *element.SyntaxError, ok bool) {
	var ve *element.ValidationError
	if errors.As(err, &ve) {
		ps = problems{}
		for _, p := range ve.Problems {
			ps[p.Path] = strings.Join(nonEmpty(ps[p.Path], p.Message), "; ")
		}
		return ps, nil, true
	}
	if errors.As(err, &syntax) {
		return problems{}, syntax, true
	}
	return nil, nil, false
}

// syntaxMessage says where a JSON view's text breaks.
func syntaxMessage(e *element.SyntaxError) string {
	return fmt.Sprintf("Line %d, column %d: %v", e.Line, e.Column, e.Err)
}

// tagList reads the body's tags.
func tagList(b body) []string {
	var tags []string
	_ = json.Unmarshal(b["tags"], &tags) // tags that are not strings show as none
	return tags
}

// fieldID is the element id of a configuration key's control.
func fieldID(key string) string { return "f-" + safeID(key) }

// safeID makes a name usable in an id attribute: letters, digits and '-'.
func safeID(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			return r
		}
		return '_'
	}, s)
}

// nonEmpty returns the non-empty strings of ss.
func nonEmpty(ss ...string) []string {
	return slices.DeleteFunc(ss, func(s string) bool { return s == "" })
}

// listProblems returns every problem of ps as "path: message", sorted by
// path.
func listProblems(ps problems) []string {
	var out []string
	for _, path := range slices.Sorted(maps.Keys(ps)) {
		if path == "" {
			out = append(out, ps[path])
		} else {
			out = append(out, path+": "+ps[path])
		}
	}
	return out
}
