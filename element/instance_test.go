package element_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/javatime"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func wooDates(updated, created string) element.Dates {
	return element.Dates{
		UpdatedField: updated, UpdatedFormat: "yyyy-MM-dd'T'HH:mm:ss",
		CreatedField: created, CreatedFormat: "yyyy-MM-dd'T'HH:mm:ss",
	}
}

func TestParseDocumentedPollingBody(t *testing.T) {
	t.Parallel()

	t.Run("as published: missing closing brace", func(t *testing.T) {
		t.Parallel()
		data := readTestdata(t, "woocommerce_polling_docs.json")
		_, err := element.Parse(data)
		require.ErrorIs(t, err, element.ErrSyntax)
		var se *element.SyntaxError
		require.ErrorAs(t, err, &se)
		require.Equal(t, int64(len(data)), se.Offset, "the error is at the end of the input")
		require.Equal(t, 56, se.Line)
		require.Contains(t, err.Error(), "line 56")
		require.Equal(t, &element.Unclosed{Kind: "object", Line: 1, Column: 1}, se.Unclosed, "the object left open is the body itself")
		require.ErrorContains(t, err, "unexpected end of JSON input: the top-level object (line 1, column 1) is not closed")
	})

	t.Run("brace fixed: the stray quotes are problems", func(t *testing.T) {
		t.Parallel()
		inst, err := element.Parse(readTestdata(t, "woocommerce_polling_brace_fixed.json"))
		require.Nil(t, inst)
		require.ErrorIs(t, err, element.ErrInvalid)
		require.ErrorIs(t, err, javatime.ErrPattern)
		var ve *element.ValidationError
		require.ErrorAs(t, err, &ve)
		keys := problemPaths(ve)
		want := []string{}
		for _, res := range []string{"contacts", "orders", "products"} {
			for _, f := range []string{"createdDateFormat", "updatedDateFormat"} {
				want = append(want, "event.poller.configuration."+res+".datesConfiguration."+f)
			}
		}
		require.Equal(t, want, keys, "every problem is reported at once, by key")
		require.Contains(t, ve.Problems[0].Message, "'", "the message shows the fix for the stray quote")
	})

	t.Run("fixed", func(t *testing.T) {
		t.Parallel()
		inst, err := element.Parse(readTestdata(t, "woocommerce_polling_fixed.json"))
		require.NoError(t, err)
		require.NoError(t, inst.Validate())
		require.Equal(t, "API_POLLING", inst.Name)
		require.Equal(t, element.Element{Key: "woocommercerest"}, inst.Element)
		require.Equal(t, []string{"Docs"}, inst.Tags)
		e := inst.Configuration.Events
		require.Equal(t, "<OPTIONAL_SIGNATURE_KEY>", string(e.SignatureKey))
		e.SignatureKey = nil
		want := element.Events{
			Enabled:         true,
			VendorType:      "polling",
			CallbackURL:     "http://mycoolapp.com",
			RefreshInterval: 15 * time.Minute,
			Resources: map[string]element.Resource{
				"contacts":  {URL: "/hubs/ecommerce/customers", IDField: "id", FilterByUpdatedDate: true, Dates: wooDates("date_modified", "date_created")},
				"discounts": {URL: "/hubs/ecommerce/discounts", IDField: "id", FilterByUpdatedDate: true},
				"orders":    {URL: "/hubs/ecommerce/orders", IDField: "id", FilterByUpdatedDate: true, Dates: wooDates("date_modified", "date_created")},
				"products":  {URL: "/hubs/ecommerce/products", IDField: "id", FilterByUpdatedDate: true, Dates: wooDates("date_modified", "date_created")},
			},
		}
		require.Empty(t, cmp.Diff(want, e))
		store, ok := inst.Configuration.Get("store.url")
		require.True(t, ok)
		require.Equal(t, "<WEB_STORE_URL>", store)
		require.Equal(t, placeholderWarnings, warningPaths(inst.Warnings), "%v", inst.Warnings)
	})
}

// placeholderWarnings are the keys of the documented WooCommerce bodies
// that hold a <PLACEHOLDER>.
var placeholderWarnings = []string{vocab.KeySignatureKey, "oauth.api.key", "oauth.api.secret", "store.url"}

func TestParseDocumentedWebhookBody(t *testing.T) {
	t.Parallel()
	inst, err := element.Parse(readTestdata(t, "woocommerce_webhook_docs.json"))
	require.NoError(t, err)
	require.NoError(t, inst.Validate())
	e := inst.Configuration.Events
	require.True(t, e.Enabled)
	require.Equal(t, "webhook", e.VendorType, `"webhooks" is read as webhook`)
	require.Equal(t, "http://mycoolapp.com", e.CallbackURL)
	require.Equal(t, vocab.DefaultRefreshInterval, e.RefreshInterval)
	require.Empty(t, e.Resources)
	require.Equal(t, placeholderWarnings, warningPaths(inst.Warnings), "%v", inst.Warnings)
}

func TestParseStringlyTypedBody(t *testing.T) {
	t.Parallel()
	inst, err := element.Parse(readTestdata(t, "stringly.json"))
	require.NoError(t, err)
	require.NoError(t, inst.Validate())
	require.Equal(t, "48213", inst.ID, "a numeric id becomes a string")
	e := inst.Configuration.Events
	require.True(t, e.Enabled, `"TRUE" is true`)
	require.Equal(t, 5*time.Minute, e.RefreshInterval)
	require.Equal(t, []string{"customers", "orders"}, e.Objects)
	want := map[string]element.Resource{
		"customers": {
			URL: "/hubs/ecommerce/customers?after=${gmtDate:yyyy-MM-dd'T'HH:mm:ss}", IDField: "id",
			FilterByUpdatedDate: false, FilterByCurrentDate: true, PageSize: 50,
			PollDelay: 30 * time.Second,
			// The resource-level tolerance wins over the one in datesConfiguration.
			CreatedCheckTolerance: 3 * time.Second,
			Dates: element.Dates{
				UpdatedField: "date_modified_gmt", UpdatedFormat: "yyyy-MM-dd'T'HH:mm:ss", UpdatedTimezone: "GMT",
				CreatedField: "date_created_gmt", CreatedFormat: "yyyy-MM-dd'T'HH:mm:ss", CreatedTimezone: "GMT",
			},
		},
		"orders": {URL: "/hubs/ecommerce/orders", IDField: "id", FilterByUpdatedDate: true, CreatedCheckTolerance: 1500 * time.Millisecond},
	}
	require.Empty(t, cmp.Diff(want, e.Resources))
	retries, ok := inst.Configuration.Get("custom.retries")
	require.True(t, ok)
	require.Equal(t, "3", retries, "a number reads as written")
	nulls, _ := inst.Configuration.Get("filter.response.nulls")
	require.Equal(t, "true", nulls)
}

func TestParseTolerates(t *testing.T) {
	t.Parallel()
	body := func(cfg string) []byte {
		return []byte(`{"element":{"key":"woocommercerest"},"configuration":{` + cfg + `}}`)
	}
	tests := []struct {
		name  string
		cfg   string
		check func(t *testing.T, e element.Events)
	}{
		{"real boolean", `"event.notification.enabled": true, "event.vendor.type": "webhook", "event.notification.callback.url": "https://a.example/cb"`, func(t *testing.T, e element.Events) { require.True(t, e.Enabled) }},
		{"string boolean", `"event.notification.enabled": "false"`, func(t *testing.T, e element.Events) { require.False(t, e.Enabled) }},
		{"vendor type webhook", `"event.vendor.type": "webhook"`, func(t *testing.T, e element.Events) { require.Equal(t, "webhook", e.VendorType) }},
		{"vendor type Polling", `"event.vendor.type": "Polling"`, func(t *testing.T, e element.Events) { require.Equal(t, "polling", e.VendorType) }},
		{"interval as number", `"event.poller.refresh_interval": 2`, func(t *testing.T, e element.Events) { require.Equal(t, 2*time.Minute, e.RefreshInterval) }},
		{"interval absent", `"a": "b"`, func(t *testing.T, e element.Events) { require.Equal(t, 15*time.Minute, e.RefreshInterval) }},
		{"interval empty string", `"event.poller.refresh_interval": ""`, func(t *testing.T, e element.Events) { require.Equal(t, 15*time.Minute, e.RefreshInterval) }},
		{"poller configuration \"{}\"", `"event.poller.configuration": "{}"`, func(t *testing.T, e element.Events) { require.Empty(t, e.Resources) }},
		{"poller configuration \"\"", `"event.poller.configuration": ""`, func(t *testing.T, e element.Events) { require.Empty(t, e.Resources) }},
		{"poller configuration null", `"event.poller.configuration": null`, func(t *testing.T, e element.Events) { require.Empty(t, e.Resources) }},
		{"empty datesConfiguration", `"event.poller.configuration": {"x": {"url": "/x", "idField": "id", "datesConfiguration": {}}}`, func(t *testing.T, e element.Events) {
			require.Equal(t, element.Resource{URL: "/x", IDField: "id", FilterByUpdatedDate: true}, e.Resources["x"])
		}},
		{"resources imply polling", `"event.poller.configuration": {"x": {"url": "/x", "idField": "id"}}`, func(t *testing.T, e element.Events) {
			require.Equal(t, "polling", e.VendorType)
		}},
		{"objects as an array", `"event.objects": ["a", " b "]`, func(t *testing.T, e element.Events) { require.Equal(t, []string{"a", "b"}, e.Objects) }},
		{"legacy urls", `"event.poller.urls": "customers|/hubs/ecommerce/customers|id|date_modified_gmt|yyyy-MM-dd'T'HH:mm:ss|GMT"`, func(t *testing.T, e element.Events) {
			require.Equal(t, "date_modified_gmt", e.Resources["customers"].Dates.UpdatedField)
			require.Equal(t, "polling", e.VendorType)
		}},
		{"configuration wins over legacy urls", `"event.poller.urls": "a|/a|id", "event.poller.configuration": {"b": {"url": "/b", "idField": "id"}}`, func(t *testing.T, e element.Events) {
			require.Len(t, e.Resources, 1)
			require.Contains(t, e.Resources, "b")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inst, err := element.Parse(body(tt.cfg))
			require.NoError(t, err)
			tt.check(t, inst.Configuration.Events)
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantErr error
		wantKey string // the key every message must name
	}{
		{"empty", ``, element.ErrSyntax, ""},
		{"null", `null`, element.ErrSyntax, ""},
		{"array", `[]`, element.ErrSyntax, ""},
		{"truncated", `{"configuration": {"a": `, element.ErrSyntax, ""},
		{"trailing garbage", `{} x`, element.ErrSyntax, ""},
		{"configuration not an object", `{"configuration": "x"}`, element.ErrInvalid, "configuration"},
		{"tags not strings", `{"tags": [1]}`, element.ErrInvalid, "tags"},
		{"element not an object", `{"element": "woo"}`, element.ErrInvalid, "element"},
		{"id an object", `{"id": {}}`, element.ErrInvalid, "id"},
		{"enabled yes", `{"configuration": {"event.notification.enabled": "yes"}}`, element.ErrInvalid, "event.notification.enabled"},
		{"vendor type push", `{"configuration": {"event.vendor.type": "push"}}`, element.ErrInvalid, "event.vendor.type"},
		{"interval words", `{"configuration": {"event.poller.refresh_interval": "ten"}}`, element.ErrInvalid, "event.poller.refresh_interval"},
		{"interval huge", `{"configuration": {"event.poller.refresh_interval": 1e300}}`, element.ErrInvalid, "event.poller.refresh_interval"},
		{"callback an object", `{"configuration": {"event.notification.callback.url": {}}}`, element.ErrInvalid, "event.notification.callback.url"},
		{"poller configuration bad string", `{"configuration": {"event.poller.configuration": "{\"a\":"}}`, element.ErrInvalid, "event.poller.configuration"},
		{"poller configuration array", `{"configuration": {"event.poller.configuration": []}}`, element.ErrInvalid, "event.poller.configuration"},
		{"resource not an object", `{"configuration": {"event.poller.configuration": {"c": 1}}}`, element.ErrInvalid, "event.poller.configuration.c"},
		{"misspelt idField", `{"configuration": {"event.poller.configuration": {"c": {"url": "/c", "idfield": "id"}}}}`, element.ErrInvalid, "event.poller.configuration.c.idfield"},
		{"page size words", `{"configuration": {"event.poller.configuration": {"c": {"pageSize": "many"}}}}`, element.ErrInvalid, "event.poller.configuration.c.pageSize"},
		{"unknown dates field", `{"configuration": {"event.poller.configuration": {"c": {"datesConfiguration": {"updated": "x"}}}}}`, element.ErrInvalid, "event.poller.configuration.c.datesConfiguration.updated"},
		{"bad legacy urls", `{"configuration": {"event.poller.urls": "a|b"}}`, element.ErrLegacyURLs, "event.poller.urls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inst, err := element.Parse([]byte(tt.body))
			require.Nil(t, inst)
			require.ErrorIs(t, err, tt.wantErr)
			if tt.wantKey != "" {
				var ve *element.ValidationError
				require.ErrorAs(t, err, &ve)
				require.Contains(t, problemPaths(ve), tt.wantKey)
				require.Contains(t, err.Error(), tt.wantKey+": ")
			}
		})
	}
}

func TestParseReportsEveryValueProblem(t *testing.T) {
	t.Parallel()
	_, err := element.Parse([]byte(`{"element": {"key": "generic"}, "configuration": {
		"event.notification.enabled": "maybe",
		"event.vendor.type": "push",
		"event.poller.configuration": {"c": {"url": "/c", "idField": "id", "pageSize": "x"}}}}`))
	var ve *element.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, []string{vocab.KeyEventsEnabled, "event.poller.configuration.c.pageSize", vocab.KeyVendorType}, problemPaths(ve))
}

func TestRoundTripKeepsUnknownKeys(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"stringly.json", "woocommerce_polling_fixed.json", "woocommerce_webhook_docs.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first, err := element.Parse(readTestdata(t, name))
			require.NoError(t, err)
			data, err := json.Marshal(first)
			require.NoError(t, err)
			second, err := element.Parse(data)
			require.NoError(t, err)
			require.Empty(t, cmp.Diff(first, second, cmpopts.IgnoreUnexported(element.Instance{}), cmp.Comparer(func(a, b element.Configuration) bool {
				return cmp.Equal(a.Events, b.Events) && cmp.Equal(a.Keys(), b.Keys())
			})))
			for _, k := range first.Configuration.Keys() {
				if k == vocab.KeyPollerConfiguration || k == vocab.KeyEventsEnabled ||
					k == vocab.KeyRefreshInterval || k == vocab.KeyObjects || k == vocab.KeyVendorType {
					continue // written in canonical form
				}
				v1, _ := first.Configuration.Get(k)
				v2, ok := second.Configuration.Get(k)
				require.True(t, ok, k)
				require.Equal(t, v1, v2, k)
			}
		})
	}

	t.Run("top-level keys survive", func(t *testing.T) {
		t.Parallel()
		inst, err := element.Parse(readTestdata(t, "stringly.json"))
		require.NoError(t, err)
		data, err := json.Marshal(inst)
		require.NoError(t, err)
		var body map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(data, &body))
		require.JSONEq(t, `{"code":"opaque"}`, string(body["providerData"]))
		require.JSONEq(t, `"48213"`, string(body["id"]))
	})

	t.Run("typed changes are written", func(t *testing.T) {
		t.Parallel()
		inst, err := element.Parse(readTestdata(t, "woocommerce_webhook_docs.json"))
		require.NoError(t, err)
		inst.Configuration.Events.CallbackURL = "https://other.example.com/"
		inst.Configuration.Events.RefreshInterval = 90 * time.Second
		inst.Configuration.Set("store.url", "https://shop.example.com")
		data, err := json.Marshal(inst.Configuration)
		require.NoError(t, err)
		var got map[string]any
		require.NoError(t, json.Unmarshal(data, &got))
		require.Equal(t, "https://other.example.com/", got[vocab.KeyCallbackURL])
		require.Equal(t, "1.5", got[vocab.KeyRefreshInterval])
		require.Equal(t, "https://shop.example.com", got["store.url"])
		require.Equal(t, "<OPTIONAL_SIGNATURE_KEY>", got[vocab.KeySignatureKey], "the body keeps its secrets")
	})
}

func TestConfigurationUnmarshalJSON(t *testing.T) {
	t.Parallel()
	var c element.Configuration
	require.NoError(t, json.Unmarshal([]byte(`{"event.notification.enabled":"true","x":"y"}`), &c))
	require.True(t, c.Events.Enabled)
	require.Equal(t, []string{"event.notification.enabled", "x"}, c.Keys())

	err := json.Unmarshal([]byte(`{"event.notification.enabled":"nope"}`), &c)
	require.True(t, errors.Is(err, element.ErrInvalid), "%v", err)
}

func TestResourceJSON(t *testing.T) {
	t.Parallel()
	r := element.Resource{URL: "/c", IDField: "id", FilterByUpdatedDate: true, PollDelay: 90 * time.Second, CreatedCheckTolerance: 500 * time.Millisecond}
	data, err := json.Marshal(r)
	require.NoError(t, err)
	require.JSONEq(t, `{"url":"/c","idField":"id","datesConfiguration":{},"filterByUpdatedDate":true,"createdCheckTolerance":0.5,"pollDelay":90}`, string(data))
	var back element.Resource
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, r, back)
	require.ErrorIs(t, json.Unmarshal([]byte(`{"idfield":"x"}`), &back), element.ErrInvalid)
}

func TestParseFillsDefinitionDefaults(t *testing.T) {
	t.Parallel()
	const cfg = `"event.notification.enabled": true, "event.vendor.type": "polling", "event.notification.callback.url": "https://a.example/cb"`
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"every default object", `{"element":{"key":"woocommercerest"},"configuration":{` + cfg + `}}`, []string{"coupons", "customers", "orders", "products"}},
		{"the objects named", `{"element":{"key":"woocommercerest"},"configuration":{` + cfg + `, "event.objects": "customers,nosuch"}}`, []string{"customers"}},
		{"concur reports", `{"element":{"key":"concur"},"configuration":{` + cfg + `}}`, []string{"reports"}},
		{"given resources win", `{"element":{"key":"woocommercerest"},"configuration":{` + cfg + `, "event.poller.configuration": {"x": {"url": "/x", "idField": "id"}}}}`, []string{"x"}},
		{"webhook instances get none", `{"element":{"key":"woocommercerest"},"configuration":{"event.vendor.type": "webhook"}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inst, err := element.Parse([]byte(tt.body))
			require.NoError(t, err)
			var got []string
			for name := range inst.Configuration.Events.Resources {
				got = append(got, name)
			}
			slices.Sort(got)
			require.Equal(t, tt.want, got)
			require.NoError(t, inst.Validate())
		})
	}
}
