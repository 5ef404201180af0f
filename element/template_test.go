package element_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
)

// mapLookup returns a configuration lookup over m.
func mapLookup(m map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		v, ok := m[key]
		return v, ok
	}
}

func TestExpandBaseURL(t *testing.T) {
	t.Parallel()
	def := &element.Definition{
		Key: "acme", BaseURL: "{api.url}/v1/",
		Defaults: map[string]string{"api.url": "https://api.example.com"},
	}
	tests := []struct {
		name    string
		config  map[string]string
		want    string
		wantErr error
		wantMsg string
	}{
		{name: "default", want: "https://api.example.com/v1"},
		{name: "configured", config: map[string]string{"api.url": "https://eu.example.com/"}, want: "https://eu.example.com/v1"},
		{name: "blank falls back to default", config: map[string]string{"api.url": " "}, want: "https://api.example.com/v1"},
		{name: "not a URL", config: map[string]string{"api.url": "shop.example.com"}, wantErr: element.ErrInvalid,
			wantMsg: `api.url: must be an absolute http(s) URL: the acme base URL would be "shop.example.com/v1/"`},
		{name: "not http", config: map[string]string{"api.url": "file:///etc"}, wantErr: element.ErrInvalid, wantMsg: "api.url: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := def.ExpandBaseURL(mapLookup(tt.config))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				var ve *element.ValidationError
				require.ErrorAs(t, err, &ve, "an ErrInvalid is a *ValidationError")
				require.ErrorContains(t, err, tt.wantMsg)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}

	_, err := (&element.Definition{Key: "acme", BaseURL: "{notdefaulted}/v1"}).ExpandBaseURL(mapLookup(nil))
	var ve *element.ValidationError
	require.ErrorAs(t, err, &ve, "a missing key is a *ValidationError")
	require.Equal(t, "notdefaulted", ve.Problems[0].Path)
}

func TestVendorPath(t *testing.T) {
	t.Parallel()
	def := &element.Definition{Paths: map[string]string{
		"/hubs/ecommerce/customers":     "/customers",
		"/hubs/ecommerce/orders":        "/orders",
		"/hubs/ecommerce/orders/notes":  "/order-notes",
		"/hubs/expense/reports":         "/expense/reports?user=ALL",
		"/hubs/ecommerce/customer-tags": "/tags/",
	}}
	tests := []struct {
		in, want string
	}{
		{"/hubs/ecommerce/customers", "/customers"},
		{"/hubs/ecommerce/customers?x=y&z=1", "/customers?x=y&z=1"},
		{"/hubs/ecommerce/customers#frag", "/customers#frag"},
		{"/hubs/ecommerce/customers/7", "/customers/7"},
		{"/hubs/ecommerce/customers/7?context=edit", "/customers/7?context=edit"},
		{"/hubs/ecommerce/customers/", "/customers/"},
		{"/hubs/ecommerce/customersX", "/hubs/ecommerce/customersX"},
		{"/hubs/ecommerce/orders/notes/3", "/order-notes/3"},
		{"/hubs/ecommerce/orders/3/notes", "/orders/3/notes"},
		{"/hubs/ecommerce/customer-tags/2", "/tags/2"},
		{"/hubs/expense/reports?limit=5", "/expense/reports?user=ALL&limit=5"},
		{"/hubs/expense/reports/9?x=1", "/expense/reports/9?user=ALL&x=1"},
		{"/hubs/ecommerce/products?x=y", "/hubs/ecommerce/products?x=y"},
		{"/customers?x=y", "/customers?x=y"},
		{"https://api.example.com/customers", "https://api.example.com/customers"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, def.VendorPath(tt.in))
		})
	}
	require.Equal(t, "/x", (&element.Definition{}).VendorPath("/x"))
}
