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

	iquote "github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/javatime"
)

// FieldError is one problem with an instance, named by the configuration key
// or body field as the user wrote it ("event.notification.callback.url",
// "event.poller.configuration.customers.idField").
type FieldError struct {
	// Key is the configuration key or JSON path of the offending value.
	Key string
	// Message says what is wrong and, where it can, how to fix it.
	Message string
	// Err is the underlying error, if any ([ErrDateFormat], [ErrTimeZone],
	// [ErrPlaceholder], [ErrUnknownElement], ...).
	Err error
}

// maxKeyShown bounds the key an error message shows: keys hold the
// resource names of the instance body, which may be of any length.
const maxKeyShown = 256

// maxProblemsShown bounds the problems a [ValidationError] message lists;
// Problems holds them all.
const maxProblemsShown = 50

// Error returns "key: message", the key cut short past 256 bytes.
func (e *FieldError) Error() string { return iquote.CutN(e.Key, maxKeyShown) + ": " + e.Message }

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// ValidationError lists every problem found with an instance, a
// configuration or a definition. errors.Is(err, [ErrInvalid]) is true for
// it, and errors.As finds each [*FieldError] and its underlying error.
type ValidationError struct {
	// Problems are sorted by key.
	Problems []*FieldError
}

// Error lists the problems, one per line after the first; past 50 it
// says how many more there are.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(ErrInvalid.Error())
	if len(e.Problems) == 1 {
		b.WriteString(": ")
		b.WriteString(e.Problems[0].Error())
		return b.String()
	}
	fmt.Fprintf(&b, ": %d problems:", len(e.Problems))
	for i, p := range e.Problems {
		if i == maxProblemsShown {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Problems)-i)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Is reports whether target is [ErrInvalid].
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the problems, so that errors.Is and errors.As look into
// each of them.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

func newValidationError(problems []*FieldError) *ValidationError {
	slices.SortStableFunc(problems, func(a, b *FieldError) int { return cmp.Compare(a.Key, b.Key) })
	return &ValidationError{Problems: problems}
}

// Validate checks that the instance can be run, and returns every problem at
// once as a [*ValidationError]:
//   - element.key is set and names a registered [Definition];
//   - with events enabled: event.vendor.type is webhook or polling and
//     event.notification.callback.url is an absolute http or https URL;
//   - event.poller.refresh_interval is positive;
//   - a polling instance has at least one resource, and each resource has
//     a url whose placeholders are known, an idField, date patterns that
//     compile, time zones that exist and no negative durations or sizes.
func (inst *Instance) Validate() error {
	var problems []*FieldError
	add := func(key, msg string, err error) {
		problems = append(problems, &FieldError{Key: key, Message: msg, Err: err})
	}

	switch key := inst.Element.Key; {
	case key == "":
		add("element.key", "required", nil)
	default:
		if _, ok := Lookup(key); !ok {
			add("element.key", fmt.Sprintf("unknown element %s; registered elements are %s (add one with element.Register)", quote(key), strings.Join(Keys(), ", ")), ErrUnknownElement)
		}
	}

	e := inst.Configuration.Events
	rules := eventsRules{
		Enabled:         e.Enabled,
		VendorType:      string(e.VendorType),
		CallbackURL:     e.CallbackURL,
		RefreshInterval: e.RefreshInterval,
	}
	problems = append(problems, structProblems("", rules)...)

	if e.Enabled && e.VendorType == VendorPolling && len(e.Resources) == 0 {
		add(KeyPollerConfiguration, "required for polling: configure at least one resource (or name objects the element definition has defaults for in event.objects)", nil)
	}
	for _, name := range slices.Sorted(maps.Keys(e.Resources)) {
		problems = append(problems, resourceProblems(KeyPollerConfiguration+"."+name, e.Resources[name])...)
	}
	if len(problems) > 0 {
		return newValidationError(problems)
	}
	return nil
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
func resourceProblems(prefix string, r Resource) []*FieldError {
	problems := structProblems(prefix+".", r)
	add := func(field string, err error, sentinel error) {
		problems = append(problems, &FieldError{Key: prefix + "." + field, Message: message(err, sentinel), Err: err})
	}
	d := r.Dates
	zoneOf := func(field, tz string) *time.Location {
		loc, err := javatime.LoadLocation(tz)
		if err != nil {
			add("datesConfiguration."+field, err, ErrTimeZone)
			return nil
		}
		return loc
	}
	updatedZone := zoneOf("updatedDateTimezone", d.UpdatedTimezone)
	createdZone := zoneOf("createdDateTimezone", d.CreatedTimezone)
	if updatedZone != nil && d.UpdatedFormat != "" {
		if _, err := javatime.NewLayout(d.UpdatedFormat, d.UpdatedTimezone); err != nil {
			add("datesConfiguration.updatedDateFormat", err, ErrDateFormat)
		}
	}
	if createdZone != nil && d.CreatedFormat != "" {
		if _, err := javatime.NewLayout(d.CreatedFormat, d.CreatedTimezone); err != nil {
			add("datesConfiguration.createdDateFormat", err, ErrDateFormat)
		}
	}
	if r.URL != "" {
		if _, err := CompileURL(r.URL, cmp.Or(updatedZone, time.UTC)); err != nil {
			add("url", err, ErrPlaceholder)
		}
	}
	return problems
}

// message is err's text without the package-level sentinel prefix, which
// the key already makes redundant.
func message(err, sentinel error) string {
	return strings.TrimPrefix(err.Error(), sentinel.Error()+": ")
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
// FieldErrors named prefix + the field's key.
func structProblems(prefix string, v any) []*FieldError {
	err := validate.Struct(v)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			return []*FieldError{{Key: strings.TrimSuffix(prefix, "."), Message: err.Error(), Err: err}}
		}
		return nil
	}
	out := make([]*FieldError, 0, len(verrs))
	for _, fe := range verrs {
		// Namespace is "Type.field.sub"; drop the type.
		_, path, _ := strings.Cut(fe.Namespace(), ".")
		out = append(out, &FieldError{Key: prefix + path, Message: ruleMessage(fe)})
	}
	return out
}

// ruleMessage says in words what a validator tag wants.
func ruleMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "required"
	case "required_if":
		return "required when " + KeyEventsEnabled + " is true"
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
