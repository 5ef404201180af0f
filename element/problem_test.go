package element_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/javatime"
)

// problemPaths returns the path of each problem, in order.
func problemPaths(ve *element.ValidationError) []string {
	paths := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		paths[i] = p.Path
	}
	return paths
}

// TestParseProblems checks that Parse reports every problem of a body,
// from reading its values and from checking its rules, in one
// *ValidationError sorted by path, each problem once.
func TestParseProblems(t *testing.T) {
	t.Parallel()
	const enabled = `"event.notification.enabled": true, "event.notification.callback.url": "https://app.example/cb"`
	body := func(cfg string) string {
		return `{"element": {"key": "woocommercerest"}, "configuration": {` + cfg + `}}`
	}
	tests := []struct {
		name      string
		body      string
		wantPaths []string
		wantIs    []error
	}{
		{
			name: "bad enum, bad URL, bad date pattern and missing idField: four problems, one error",
			body: body(`"event.notification.enabled": true, "event.vendor.type": "push",
				"event.notification.callback.url": "mycoolapp.com",
				"event.poller.configuration": {"contacts": {"url": "/hubs/ecommerce/customers",
					"datesConfiguration": {"updatedDateField": "date_modified", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss'"}}}`),
			wantPaths: []string{
				vocab.KeyCallbackURL,
				"event.poller.configuration.contacts.datesConfiguration.updatedDateFormat",
				"event.poller.configuration.contacts.idField",
				vocab.KeyVendorType,
			},
			wantIs: []error{javatime.ErrPattern},
		},
		{
			name:      "top-level fields and configuration values",
			body:      `{"id": {}, "name": 5, "tags": "prod", "element": {"key": "nosuch"}, "configuration": {"event.poller.refresh_interval": "ten"}}`,
			wantPaths: []string{"element.key", vocab.KeyRefreshInterval, "id", "name", "tags"},
			wantIs:    []error{element.ErrUnknownElement},
		},
		{
			name:      "a value that cannot be read is reported once, not again by the rules",
			body:      body(enabled + `, "event.vendor.type": 7, "event.poller.refresh_interval": "-"`),
			wantPaths: []string{vocab.KeyRefreshInterval, vocab.KeyVendorType},
		},
		{
			name:      "a resource that is not an object is not also missing its url and idField",
			body:      body(enabled + `, "event.vendor.type": "polling", "event.poller.configuration": {"c": [1]}`),
			wantPaths: []string{"event.poller.configuration.c"},
		},
		{
			name: "a misspelt field and the required field it failed to set",
			body: body(`"event.poller.configuration": {"c": {"url": "/c", "idfield": "id"}}`),
			wantPaths: []string{
				"event.poller.configuration.c.idField",
				"event.poller.configuration.c.idfield",
			},
		},
		{
			name:      "time zone and placeholder; legacy urls beside a configuration are not read",
			body:      body(`"event.poller.urls": "a|b", "event.poller.configuration": {"c": {"url": "/c?since=${nope}", "idField": "id", "datesConfiguration": {"createdDateTimezone": "Mars/Olympus"}}}`),
			wantPaths: []string{"event.poller.configuration.c.datesConfiguration.createdDateTimezone", "event.poller.configuration.c.url"},
			wantIs:    []error{javatime.ErrZone, element.ErrPlaceholder},
		},
		{
			name:      "legacy urls alone",
			body:      body(`"event.poller.urls": "a|b"`),
			wantPaths: []string{vocab.KeyPollerURLs},
			wantIs:    []error{element.ErrLegacyURLs},
		},
		{
			name:      "a resources string that is not JSON",
			body:      body(enabled + `, "event.vendor.type": "polling", "event.poller.configuration": "{\"c\":"`),
			wantPaths: []string{vocab.KeyPollerConfiguration},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inst, err := element.Parse([]byte(tt.body))
			require.Nil(t, inst)
			require.ErrorIs(t, err, element.ErrInvalid)
			var ve *element.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.wantPaths, problemPaths(ve), "%v", err)
			for _, p := range ve.Problems {
				require.Contains(t, err.Error(), p.Error(), "the error lists every problem")
			}
			for _, target := range tt.wantIs {
				require.ErrorIs(t, err, target)
			}
		})
	}
}

// TestErrorsAsContract checks the errors package element documents: every
// error that is ErrSyntax is a *SyntaxError, every error that is
// ErrInvalid is a *ValidationError, and a ValidationError's problems are
// found with errors.As as *Problem, with the sentinel each wraps.
func TestErrorsAsContract(t *testing.T) {
	t.Parallel()
	parse := func(body string) func() error {
		return func() error { _, err := element.Parse([]byte(body)); return err }
	}
	parseDef := func(body string) func() error {
		return func() error { _, err := element.ParseDefinition([]byte(body)); return err }
	}
	instance := func(cfg string) func() error {
		return parse(`{"element": {"key": "generic"}, "configuration": {` + cfg + `}}`)
	}
	resource := func(fields string) func() error {
		return instance(`"event.poller.configuration": {"c": {"url": "/c", "idField": "id", ` + fields + `}}`)
	}
	tests := []struct {
		name    string
		run     func() error
		wantIs  error // besides ErrSyntax or ErrInvalid
		wantPth string
	}{
		{"Parse: malformed", parse(`{"id": x}`), nil, ""},
		{"Parse: truncated", parse(`{"configuration": {`), nil, ""},
		{"Parse: not an object", parse(`[]`), nil, ""},
		{"Parse: null", parse(`null`), nil, ""},
		{"Parse: a value", instance(`"event.vendor.type": "push"`), nil, vocab.KeyVendorType},
		{"Parse: a rule", instance(`"event.poller.refresh_interval": 0`), nil, vocab.KeyRefreshInterval},
		{"Parse: unknown element", parse(`{"element": {"key": "nosuch"}}`), element.ErrUnknownElement, "element.key"},
		{"Parse: date pattern", resource(`"datesConfiguration": {"updatedDateFormat": "qq"}`), javatime.ErrPattern, "event.poller.configuration.c.datesConfiguration.updatedDateFormat"},
		{"Parse: time zone", resource(`"datesConfiguration": {"updatedDateTimezone": "Nowhere/Town"}`), javatime.ErrZone, "event.poller.configuration.c.datesConfiguration.updatedDateTimezone"},
		{"Parse: URL placeholder", instance(`"event.poller.configuration": {"c": {"url": "/c?${x}", "idField": "id"}}`), element.ErrPlaceholder, "event.poller.configuration.c.url"},
		{"Parse: legacy urls", instance(`"event.poller.urls": "a"`), element.ErrLegacyURLs, vocab.KeyPollerURLs},
		{"Parse: a resource's JSON string", instance(`"event.poller.configuration": "{"`), nil, vocab.KeyPollerConfiguration},
		{"ParseDefinition: malformed", parseDef(`{"key" 1}`), nil, ""},
		{"ParseDefinition: truncated", parseDef(`{"key": "a"`), nil, ""},
		{"ParseDefinition: not an object", parseDef(`"acme"`), nil, ""},
		{"ParseDefinition: a type", parseDef(withFields(`"maxPageSize": "10"`)), nil, "maxPageSize"},
		{"ParseDefinition: an unknown field", parseDef(withFields(`"pageSize": 10`)), nil, "pageSize"},
		{"ParseDefinition: a rule", parseDef(withFields(`"auth": {"style": "basic"}`)), nil, "auth.usernameKey"},
		{"ParseDefinition: date pattern", parseDef(withFields(`"webhook": {"datePath": "d", "dateFormat": "qq"}`)), javatime.ErrPattern, "webhook.dateFormat"},
		{"Definition.Validate", func() error { return (&element.Definition{Key: "acme"}).Validate() }, nil, "baseUrl"},
		{"Definition.Validate: nil", func() error { return (*element.Definition)(nil).Validate() }, nil, ""},
		{"Catalogue.Register: nil", func() error { return new(element.Catalogue).Register(nil) }, nil, ""},
		{"Catalogue.Register: duplicate", func() error {
			var c element.Catalogue
			require.NoError(t, c.Register(validDefinition("acme")))
			return c.Register(validDefinition("acme"))
		}, nil, "key"},
		{"Instance.Validate", func() error { return (&element.Instance{}).Validate() }, nil, "element.key"},
		{"Configuration.UnmarshalJSON: a value", func() error {
			var c element.Configuration
			return json.Unmarshal([]byte(`{"event.notification.enabled": "yes"}`), &c)
		}, nil, vocab.KeyEventsEnabled},
		{"Configuration.UnmarshalJSON: not an object", func() error {
			var c element.Configuration
			return c.UnmarshalJSON([]byte(`[]`))
		}, nil, "configuration"},
		{"Resource.UnmarshalJSON", func() error {
			var r element.Resource
			return json.Unmarshal([]byte(`{"pageSize": "x"}`), &r)
		}, nil, "resource.pageSize"},
		{"ExpandBaseURL: missing key", func() error {
			_, err := (&element.Definition{BaseURL: "{a}"}).ExpandBaseURL(func(string) (string, bool) { return "", false })
			return err
		}, nil, "a"},
		{"ExpandBaseURL: not a URL", func() error {
			_, err := (&element.Definition{BaseURL: "{a}"}).ExpandBaseURL(func(string) (string, bool) { return "x", true })
			return err
		}, nil, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.run()
			require.Error(t, err)
			_, isSyntax := errors.AsType[*element.SyntaxError](err)
			ve, isInvalid := errors.AsType[*element.ValidationError](err)
			require.Equal(t, errors.Is(err, element.ErrSyntax), isSyntax, "ErrSyntax if and only if *SyntaxError: %v", err)
			require.Equal(t, errors.Is(err, element.ErrInvalid), isInvalid, "ErrInvalid if and only if *ValidationError: %v", err)
			require.True(t, isSyntax != isInvalid, "one of the two: %v", err)
			if tt.wantIs != nil {
				require.ErrorIs(t, err, tt.wantIs)
			}
			if !isInvalid {
				require.Empty(t, tt.wantPth)
				return
			}
			p, ok := errors.AsType[*element.Problem](err)
			require.True(t, ok, "errors.As finds a *Problem")
			require.Equal(t, tt.wantPth, p.Path)
			require.Equal(t, &ve.Problems[0], p, "the first problem")
			if tt.wantIs != nil {
				require.True(t, slices.ContainsFunc(ve.Problems, func(p element.Problem) bool { return errors.Is(p.Err, tt.wantIs) }),
					"a problem wraps %v", tt.wantIs)
			}
		})
	}
}

// TestValidationErrorMessage checks the message: the subject, then one
// problem inline or each on its own line.
func TestValidationErrorMessage(t *testing.T) {
	t.Parallel()
	one := &element.ValidationError{Problems: []element.Problem{{Path: "a.b", Message: "required"}}}
	require.EqualError(t, one, "element: invalid configuration: a.b: required")
	two := &element.ValidationError{Problems: []element.Problem{{Path: "a", Message: "x"}, {Message: "whole"}}}
	require.EqualError(t, two, "element: invalid configuration: 2 problems:\n  a: x\n  whole")
	require.True(t, errors.Is(two, element.ErrInvalid))
	require.False(t, errors.Is(two, element.ErrSyntax))

	long := strings.Repeat("k", 300)
	p := element.Problem{Path: long, Message: "m"}
	require.Equal(t, strings.Repeat("k", 256)+"…(300 bytes): m", p.Error())
}
