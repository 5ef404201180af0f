package element

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/a12b7632/elementevents/internal/urltemplate"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/javatime"
)

// Validate checks the rules of a usable instance and returns every problem
// at once as a [*ValidationError]. [Parse] checks them already; Validate
// is for instances built or changed in Go. The rules:
//   - element.key is set and names a registered [Definition];
//   - with events enabled: event.vendor.type is webhook or polling and
//     event.notification.callback.url is an absolute http or https URL;
//   - event.poller.refresh_interval is positive;
//   - a polling instance has at least one resource, and each resource has
//     a url whose placeholders are known, an idField, date patterns that
//     compile, time zones that exist and no negative durations or sizes.
func (inst *Instance) Validate() error {
	return inst.rules(&defaultCatalogue).err("")
}

// rules checks the instance against the rules of Validate, with the
// element keys of c.
func (inst *Instance) rules(c *Catalogue) problemList {
	var ps problemList
	switch key := inst.Element.Key; {
	case key == "":
		ps.add("element.key", "required")
	default:
		if _, ok := c.Lookup(key); !ok {
			ps = append(ps, Problem{Path: "element.key", Err: ErrUnknownElement,
				Message: fmt.Sprintf("unknown element %s; registered elements are %s (add one with element.Default().Register)", quote(key), strings.Join(c.Keys(), ", "))})
		}
	}

	e := inst.Configuration.Events
	rules := eventsRules{
		Enabled:         e.Enabled,
		VendorType:      string(e.VendorType),
		CallbackURL:     e.CallbackURL,
		RefreshInterval: e.RefreshInterval,
	}
	ps = append(ps, structProblems("", rules)...)

	if e.Enabled && e.VendorType == vendorPolling && len(e.Resources) == 0 {
		ps.add(vocab.KeyPollerConfiguration, "required for polling: configure at least one resource (or name objects the element definition has defaults for in event.objects)")
	}
	for _, name := range slices.Sorted(maps.Keys(e.Resources)) {
		ps = append(ps, resourceProblems(vocab.KeyPollerConfiguration+"."+name, e.Resources[name])...)
	}
	return ps
}

// eventsRules is the part of Events that the validator checks by tag; the
// key tag names the configuration key in messages.
type eventsRules struct {
	Enabled         bool
	VendorType      string        `key:"event.vendor.type" validate:"required_if=Enabled true,omitempty,oneof=webhook polling"`
	CallbackURL     string        `key:"event.notification.callback.url" validate:"required_if=Enabled true,omitempty,http_url"`
	RefreshInterval time.Duration `key:"event.poller.refresh_interval" validate:"gt=0"`
}

// resourceProblems checks one resource: its tagged rules with the
// validator, then what only this package can check (patterns, zones,
// placeholders).
func resourceProblems(prefix string, r Resource) problemList {
	problems := structProblems(prefix+".", r)
	add := func(field string, err error) { problems.wrap(prefix+"."+field, err) }
	d := r.Dates
	zoneOf := func(field, tz string) *time.Location {
		loc, err := javatime.LoadLocation(tz)
		if err != nil {
			add("datesConfiguration."+field, err)
			return nil
		}
		return loc
	}
	updatedZone := zoneOf("updatedDateTimezone", d.UpdatedTimezone)
	createdZone := zoneOf("createdDateTimezone", d.CreatedTimezone)
	if updatedZone != nil && d.UpdatedFormat != "" {
		if _, err := javatime.NewLayout(d.UpdatedFormat, d.UpdatedTimezone); err != nil {
			add("datesConfiguration.updatedDateFormat", err)
		}
	}
	if createdZone != nil && d.CreatedFormat != "" {
		if _, err := javatime.NewLayout(d.CreatedFormat, d.CreatedTimezone); err != nil {
			add("datesConfiguration.createdDateFormat", err)
		}
	}
	if r.URL != "" {
		if _, err := urltemplate.Compile(r.URL, cmp.Or(updatedZone, time.UTC)); err != nil {
			add("url", err)
		}
	}
	return problems
}

// validate checks struct tags; it caches struct metadata and is safe for
// concurrent use.
var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range []string{"key", "json"} {
			if name, _, _ := strings.Cut(f.Tag.Get(tag), ","); name != "" && name != "-" {
				return name
			}
		}
		return lowerFirst(f.Name)
	})
	return v
}()

// structProblems runs the validator on v and turns its errors into
// problems named prefix + the field's key.
func structProblems(prefix string, v any) problemList {
	err := validate.Struct(v)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			return problemList{{Path: strings.TrimSuffix(prefix, "."), Message: err.Error(), Err: err}}
		}
		return nil
	}
	out := make(problemList, 0, len(verrs))
	for _, fe := range verrs {
		// Namespace is "Type.field.sub"; drop the type.
		_, path, _ := strings.Cut(fe.Namespace(), ".")
		out.add(prefix+path, ruleMessage(fe))
	}
	return out
}

// ruleMessage says in words what a validator tag wants.
func ruleMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "required"
	case "required_if":
		return "required when " + vocab.KeyEventsEnabled + " is true"
	case "http_url":
		return "must be an absolute http or https URL"
	case "gt":
		return "must be positive"
	case "gte":
		return "must not be negative"
	case "oneof":
		return "must be one of " + strings.ReplaceAll(fe.Param(), " ", ", ")
	}
	return fmt.Sprintf("fails the %s rule", fe.Tag())
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
