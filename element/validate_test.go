package element_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/javatime"
)

// TestValidate checks each rule of Instance.Validate, as Parse reports it.
func TestValidate(t *testing.T) {
	t.Parallel()
	const okResource = `"customers": {"url": "/hubs/ecommerce/customers", "idField": "id"}`
	body := func(elementKey, cfg string) []byte {
		return []byte(`{"element":{"key":"` + elementKey + `"},"configuration":{` + cfg + `}}`)
	}
	tests := []struct {
		name    string
		element string
		cfg     string
		want    []string // "key: message" prefixes, in order
		wantErr error    // also in the chain, besides ErrInvalid
	}{
		{
			name: "valid polling", element: "woocommercerest",
			cfg: `"event.notification.enabled": true, "event.notification.callback.url": "https://a.example/cb",
				"event.poller.configuration": {` + okResource + `}`,
		},
		{
			name: "events disabled needs nothing", element: "woocommercerest",
			cfg: `"event.notification.enabled": false`,
		},
		{
			name: "no element key", element: "", cfg: ``,
			want: []string{"element.key: required"},
		},
		{
			name: "unknown element", element: "nosuch", cfg: ``,
			want:    []string{`element.key: unknown element "nosuch"`},
			wantErr: element.ErrUnknownElement,
		},
		{
			name: "enabled without callback or type", element: "woocommercerest",
			cfg: `"event.notification.enabled": true`,
			want: []string{
				"event.notification.callback.url: required when event.notification.enabled is true",
				"event.vendor.type: required when event.notification.enabled is true",
			},
		},
		{
			name: "relative callback", element: "woocommercerest",
			cfg:  `"event.notification.enabled": true, "event.vendor.type": "webhook", "event.notification.callback.url": "mycoolapp.com/cb"`,
			want: []string{"event.notification.callback.url: must be an absolute http or https URL"},
		},
		{
			name: "ftp callback", element: "woocommercerest",
			cfg:  `"event.notification.enabled": true, "event.vendor.type": "webhook", "event.notification.callback.url": "ftp://a.example/cb"`,
			want: []string{"event.notification.callback.url: must be an absolute http or https URL"},
		},
		{
			name: "non-positive interval", element: "woocommercerest",
			cfg:  `"event.poller.refresh_interval": "0"`,
			want: []string{"event.poller.refresh_interval: must be positive"},
		},
		{
			name: "negative interval", element: "woocommercerest",
			cfg:  `"event.poller.refresh_interval": -5`,
			want: []string{"event.poller.refresh_interval: must be positive"},
		},
		{
			name: "polling without resources", element: "generic",
			cfg:  `"event.notification.enabled": true, "event.vendor.type": "polling", "event.notification.callback.url": "https://a.example/cb"`,
			want: []string{"event.poller.configuration: required for polling"},
		},
		{
			name: "resource without url and idField", element: "woocommercerest",
			cfg: `"event.poller.configuration": {"customers": {"datesConfiguration": {}}}`,
			want: []string{
				"event.poller.configuration.customers.idField: required",
				"event.poller.configuration.customers.url: required",
			},
		},
		{
			name: "negative durations and sizes", element: "woocommercerest",
			cfg: `"event.poller.configuration": {"c": {"url": "/c", "idField": "id", "pageSize": -1, "pollDelay": "-1", "createdCheckTolerance": -2}}`,
			want: []string{
				"event.poller.configuration.c.createdCheckTolerance: must not be negative",
				"event.poller.configuration.c.pageSize: must not be negative",
				"event.poller.configuration.c.pollDelay: must not be negative",
			},
		},
		{
			name: "stray quote in the date pattern", element: "woocommercerest",
			cfg:     `"event.poller.configuration": {"c": {"url": "/c", "idField": "id", "datesConfiguration": {"updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss'"}}}`,
			want:    []string{"event.poller.configuration.c.datesConfiguration.updatedDateFormat: "},
			wantErr: javatime.ErrPattern,
		},
		{
			name: "unknown pattern letter", element: "woocommercerest",
			cfg:     `"event.poller.configuration": {"c": {"url": "/c", "idField": "id", "datesConfiguration": {"createdDateFormat": "yyyy-MM-dd qq"}}}`,
			want:    []string{"event.poller.configuration.c.datesConfiguration.createdDateFormat: "},
			wantErr: javatime.ErrPattern,
		},
		{
			name: "unknown time zone", element: "woocommercerest",
			cfg:     `"event.poller.configuration": {"c": {"url": "/c", "idField": "id", "datesConfiguration": {"updatedDateTimezone": "Mars/Olympus"}}}`,
			want:    []string{"event.poller.configuration.c.datesConfiguration.updatedDateTimezone: "},
			wantErr: javatime.ErrZone,
		},
		{
			name: "unknown placeholder", element: "woocommercerest",
			cfg:     `"event.poller.configuration": {"c": {"url": "/c?since=${yesterday}", "idField": "id"}}`,
			want:    []string{"event.poller.configuration.c.url: "},
			wantErr: element.ErrPlaceholder,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inst, err := element.Parse(body(tt.element, tt.cfg))
			if len(tt.want) == 0 {
				require.NoError(t, err)
				require.NoError(t, inst.Validate(), "Validate agrees with Parse")
				return
			}
			require.Nil(t, inst)
			require.ErrorIs(t, err, element.ErrInvalid)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			}
			var ve *element.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Len(t, ve.Problems, len(tt.want), "%v", err)
			for i, p := range ve.Problems {
				require.True(t, strings.HasPrefix(p.Error(), tt.want[i]), "problem %d: got %q, want prefix %q", i, p.Error(), tt.want[i])
				require.Contains(t, err.Error(), p.Error(), "the error lists every problem")
			}
		})
	}
}

func TestValidationErrorAs(t *testing.T) {
	t.Parallel()
	_, err := element.Parse([]byte(`{"element":{"key":"woocommercerest"},"configuration":{"event.notification.enabled":true}}`))
	var p *element.Problem
	require.True(t, errors.As(err, &p))
	require.Equal(t, "event.notification.callback.url", p.Path)
}

// TestInstanceValidate checks Validate on instances built in Go, which
// Parse has not seen.
func TestInstanceValidate(t *testing.T) {
	t.Parallel()
	enabled := element.Events{
		Enabled: true, VendorType: "webhook",
		CallbackURL: "https://app.example/cb", RefreshInterval: vocab.DefaultRefreshInterval,
	}
	tests := []struct {
		name      string
		inst      element.Instance
		wantPaths []string
		wantIs    error
	}{
		{name: "valid", inst: element.Instance{Element: element.Element{Key: "woocommercerest"}, Configuration: element.Configuration{Events: enabled}}},
		{
			name:      "zero value",
			inst:      element.Instance{},
			wantPaths: []string{"element.key", vocab.KeyRefreshInterval},
		},
		{
			name: "unknown element, bad callback, resource without idField and a bad zone",
			inst: func() element.Instance {
				e := enabled
				e.VendorType = "polling"
				e.CallbackURL = "app.example/cb"
				e.Resources = map[string]element.Resource{"c": {URL: "/c", Dates: element.Dates{UpdatedTimezone: "Mars/Olympus"}}}
				return element.Instance{Element: element.Element{Key: "nosuch"}, Configuration: element.Configuration{Events: e}}
			}(),
			wantPaths: []string{
				"element.key", vocab.KeyCallbackURL,
				"event.poller.configuration.c.datesConfiguration.updatedDateTimezone",
				"event.poller.configuration.c.idField",
			},
			wantIs: javatime.ErrZone,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.inst.Validate()
			if tt.wantPaths == nil {
				require.NoError(t, err)
				return
			}
			var ve *element.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.wantPaths, problemPaths(ve))
			if tt.wantIs != nil {
				require.ErrorIs(t, err, tt.wantIs)
			}
		})
	}
}
