package element_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/vocab"
)

func validDefinition(key string) *element.Definition {
	return &element.Definition{Key: key, Hub: "general", BaseURL: "{base.url}"}
}

func TestCatalogueRegister(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		def     *element.Definition
		wantErr error
		wantMsg string
	}{
		{name: "valid", def: validDefinition("acme")},
		{name: "nil", def: nil, wantErr: element.ErrInvalid, wantMsg: "nil definition"},
		{name: "invalid names the field", def: &element.Definition{Key: "acme", Hub: "general"}, wantErr: element.ErrInvalid, wantMsg: "baseUrl: required"},
		{
			name:    "bad style names the field",
			def:     &element.Definition{Key: "acme", Hub: "general", BaseURL: "{u}", Pagination: element.Pagination{Style: "cursor"}},
			wantErr: element.ErrInvalid, wantMsg: "pagination.style: must be one of",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c element.Catalogue
			err := c.Register(tt.def)
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Equal(t, []string{tt.def.Key}, c.Keys())
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			require.ErrorContains(t, err, tt.wantMsg)
			require.Empty(t, c.Keys())
		})
	}
}

func TestCatalogueDuplicateAndReplace(t *testing.T) {
	t.Parallel()
	var c element.Catalogue
	require.NoError(t, c.Register(validDefinition("acme")))

	other := validDefinition("acme")
	other.Hub = "ecommerce"
	err := c.Register(other)
	require.ErrorIs(t, err, element.ErrInvalid)
	require.ErrorContains(t, err, `"acme" is already registered`)
	got, ok := c.Lookup("acme")
	require.True(t, ok)
	require.Equal(t, "general", got.Hub)

	require.NoError(t, c.Replace(other))
	got, ok = c.Lookup("acme")
	require.True(t, ok)
	require.Equal(t, "ecommerce", got.Hub)

	// Replace validates too, and leaves the old definition on failure.
	bad := validDefinition("acme")
	bad.BaseURL = ""
	require.ErrorIs(t, c.Replace(bad), element.ErrInvalid)
	got, _ = c.Lookup("acme")
	require.Equal(t, "ecommerce", got.Hub)
}

func TestCatalogueLookup(t *testing.T) {
	t.Parallel()
	var c element.Catalogue
	got, ok := c.Lookup("acme")
	require.False(t, ok)
	require.Nil(t, got)

	require.NoError(t, c.Register(validDefinition("acme")))
	got, ok = c.Lookup("acme")
	require.True(t, ok)
	require.Equal(t, "acme", got.Key)
	// Registered definitions have their defaults filled.
	require.Equal(t, vocab.AuthNone, got.Auth.Style)
	require.Equal(t, vocab.PaginationNone, got.Pagination.Style)
	require.Equal(t, []string{"POST"}, got.Webhook.Methods)

	_, ok = c.Lookup("ACME")
	require.False(t, ok, "keys match exactly")
}

// TestCatalogueIsolation checks that neither the registering caller nor a
// looking-up caller can change what the catalogue holds.
func TestCatalogueIsolation(t *testing.T) {
	t.Parallel()
	var c element.Catalogue
	def := validDefinition("acme")
	def.Paths = map[string]string{"/hubs/general/a": "/a"}
	def.Webhook.Methods = []string{"POST"}
	require.NoError(t, c.Register(def))

	def.Hub = "changed"
	def.Paths["/hubs/general/a"] = "/changed"
	def.Webhook.Methods[0] = "GET"

	got, _ := c.Lookup("acme")
	require.Equal(t, "general", got.Hub)
	require.Equal(t, "/a", got.Paths["/hubs/general/a"])
	require.Equal(t, "POST", got.Webhook.Methods[0])

	got.Hub = "changed"
	got.Paths["/hubs/general/a"] = "/changed"
	got.Webhook.Methods[0] = "GET"
	again, _ := c.Lookup("acme")
	require.Equal(t, "general", again.Hub)
	require.Equal(t, "/a", again.Paths["/hubs/general/a"])
	require.Equal(t, "POST", again.Webhook.Methods[0])
}

func TestCatalogueConcurrent(t *testing.T) {
	t.Parallel()
	var c element.Catalogue
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			key := fmt.Sprintf("el%02d", i)
			for j := range 50 {
				def := validDefinition(key)
				def.Name = fmt.Sprint(j)
				if j == 0 {
					require.NoError(t, c.Register(def))
				} else {
					require.NoError(t, c.Replace(def))
				}
				got, ok := c.Lookup(key)
				require.True(t, ok)
				got.Name = "mutated"
				_ = c.Keys()
				_, _ = c.Lookup(fmt.Sprintf("el%02d", (i+1)%16))
			}
		})
	}
	wg.Wait()
	keys := c.Keys()
	require.Len(t, keys, 16)
	require.IsIncreasing(t, keys)
	for _, k := range keys {
		got, _ := c.Lookup(k)
		require.Equal(t, "49", got.Name)
	}
}

var catalogueRuns atomic.Int64

func TestDefaultCatalogue(t *testing.T) {
	t.Parallel()
	keys := element.Default().Keys()
	for _, k := range []string{"concur", "generic", "woocommercerest"} {
		require.Contains(t, keys, k)
	}
	require.IsIncreasing(t, keys)

	_, ok := element.Default().Lookup("nosuchelement")
	require.False(t, ok)

	// Built-ins cannot be registered twice by accident.
	require.ErrorIs(t, element.Default().Register(validDefinition("generic")), element.ErrInvalid)

	// A new key registers in the default catalogue (a fresh key per run,
	// since the default catalogue outlives the test under -count).
	acme := "catalogue_test_acme_" + strconv.FormatInt(catalogueRuns.Add(1), 10)
	require.NoError(t, element.Default().Register(validDefinition(acme)))
	_, ok = element.Default().Lookup(acme)
	require.True(t, ok)
	require.NoError(t, element.Default().Replace(validDefinition(acme)))
}

func TestBuiltinDefinitions(t *testing.T) {
	t.Parallel()
	defs := element.Builtins()
	require.Len(t, defs, 3)
	for _, def := range defs {
		t.Run(def.Key, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, def.Validate())
			got, ok := element.Default().Lookup(def.Key)
			require.True(t, ok)
			require.Equal(t, def, got)
			// What Lookup returns can be registered again as is.
			var c element.Catalogue
			require.NoError(t, c.Register(got))
		})
	}
}

func TestBuiltinsReturnsCopies(t *testing.T) {
	t.Parallel()
	defs := element.Builtins()
	defs[0].Hub = "changed"
	defs[0].Paths["/x"] = "/y"
	again := element.Builtins()
	require.NotEqual(t, "changed", again[0].Hub)
	require.NotContains(t, again[0].Paths, "/x")
}

func TestBuiltinWooCommerce(t *testing.T) {
	t.Parallel()
	def, ok := element.Default().Lookup("woocommercerest")
	require.True(t, ok)
	require.Equal(t, "ecommerce", def.Hub)
	basic := element.Auth{Style: vocab.AuthBasic, UsernameKey: "oauth.api.key", PasswordKey: "oauth.api.secret"}
	require.Equal(t, basic, def.Auth)
	// WooCommerce takes Basic only over https; over http it wants OAuth
	// 1.0a, its parameters in the query.
	oauth1 := element.Auth{Style: vocab.AuthOAuth1, ConsumerKeyKey: "oauth.api.key", ConsumerSecretKey: "oauth.api.secret",
		SignatureMethod: vocab.OAuth1HMACSHA256, Placement: vocab.OAuth1PlacementQuery}
	require.Equal(t, oauth1, def.AuthFor("http"))
	require.Equal(t, oauth1, def.AuthFor("HTTP"))
	require.Equal(t, basic, def.AuthFor("https"))
	require.Equal(t, element.Pagination{
		Style: vocab.PaginationPage, PageParam: "page", FirstPage: 1, SizeParam: "per_page",
		TotalPagesHeader: "X-WP-TotalPages", TotalHeader: "X-WP-Total",
	}, def.Pagination)
	require.Empty(t, def.RecordsPath)
	require.Equal(t, 100, def.DefaultPageSize)
	require.Equal(t, 100, def.MaxPageSize)
	for _, object := range []string{"customers", "orders", "products", "coupons"} {
		require.Equal(t, "/"+object, def.VendorPath("/hubs/ecommerce/"+object))
		r, ok := def.Resources[object]
		require.True(t, ok, object)
		require.Equal(t, "id", r.IDField)
		require.Equal(t, "date_modified_gmt", r.Dates.UpdatedField)
		require.Equal(t, "date_created_gmt", r.Dates.CreatedField)
		require.Equal(t, "yyyy-MM-dd'T'HH:mm:ss", r.Dates.UpdatedFormat)
		require.Equal(t, "GMT", r.Dates.UpdatedTimezone)
		require.True(t, r.FilterByUpdatedDate)
	}
	// WooCommerce's customers endpoint has no modified_after filter; the
	// others do.
	require.NotContains(t, def.Resources["customers"].URL, "modified_after")
	require.Contains(t, def.Resources["orders"].URL, "modified_after=${gmtDate:")
	require.Contains(t, def.Resources["orders"].URL, "dates_are_gmt=true")

	w := def.Webhook
	require.Equal(t, vocab.SignatureHMACSHA256, w.SignatureScheme)
	require.Equal(t, "X-WC-Webhook-Signature", w.SignatureHeader)
	require.Equal(t, vocab.EncodingBase64, w.SignatureEncoding)
	require.Empty(t, w.SignaturePrefix)
	require.Equal(t, "webhook.secret", w.SecretKey)
	require.Equal(t, "X-WC-Webhook-Topic", w.TopicHeader)
	require.Equal(t, "X-WC-Webhook-Delivery-ID", w.DeliveryIDHeader)
	require.Equal(t, "webhook_id", w.PingField)

	require.Equal(t, []string{"oauth.api.key", "oauth.api.secret", "store.url"}, def.ConfigKeys())
	base, err := def.ExpandBaseURL(mapLookup(map[string]string{"store.url": "https://shop.example/"}))
	require.NoError(t, err)
	require.Equal(t, "https://shop.example/wp-json/wc/v3", base)
}

func TestBuiltinConcur(t *testing.T) {
	t.Parallel()
	def, ok := element.Default().Lookup("concur")
	require.True(t, ok)
	require.Equal(t, vocab.AuthOAuth2Refresh, def.Auth.Style)
	require.Equal(t, "oauth.api.key", def.Auth.ClientIDKey)
	require.Equal(t, "oauth.api.secret", def.Auth.ClientSecretKey)
	require.Equal(t, "oauth.refresh.token", def.Auth.RefreshTokenKey)
	require.Equal(t, vocab.PlacementBody, def.Auth.Placement)
	require.Equal(t, vocab.PaginationNextURL, def.Pagination.Style)
	require.Equal(t, "NextPage", def.Pagination.NextField)
	require.Equal(t, "limit", def.Pagination.SizeParam)
	require.Equal(t, "Items", def.RecordsPath)
	require.Equal(t, 100, def.MaxPageSize)
	r := def.Resources["reports"]
	require.Equal(t, "ID", r.IDField)
	require.Equal(t, "LastModifiedDate", r.Dates.UpdatedField)
	require.Equal(t, "CreateDate", r.Dates.CreatedField)
	require.Equal(t, "yyyy-MM-dd'T'HH:mm:ss.SSS", r.Dates.UpdatedFormat)
	require.Equal(t, "/expense/reports?user=ALL&modifiedDateAfter=${gmtDate:yyyy-MM-dd'T'HH:mm:ss}", def.VendorPath(r.URL))
	require.Equal(t, vocab.SignatureNone, def.Webhook.SignatureScheme)

	// The API host has a default; an instance may set its data center's.
	require.Equal(t, []string{"oauth.api.key", "oauth.api.secret", "oauth.refresh.token"}, def.ConfigKeys())
	tok, err := def.ExpandTokenURL(def.Auth, mapLookup(map[string]string{"concur.base.url": "https://emea.api.concursolutions.com/"}))
	require.NoError(t, err)
	require.Equal(t, "https://emea.api.concursolutions.com/oauth2/v0/token", tok)
	_, err = def.ExpandTokenURL(def.Auth, mapLookup(map[string]string{"concur.base.url": "emea"}))
	require.ErrorIs(t, err, element.ErrInvalid)
	require.ErrorContains(t, err, "concur.base.url")
	base, err := def.ExpandBaseURL(mapLookup(nil))
	require.NoError(t, err)
	require.Equal(t, "https://us.api.concursolutions.com/api/v3.0", base)
	base, err = def.ExpandBaseURL(mapLookup(map[string]string{"concur.base.url": "https://emea.api.concursolutions.com"}))
	require.NoError(t, err)
	require.Equal(t, "https://emea.api.concursolutions.com/api/v3.0", base)
}

func TestBuiltinGeneric(t *testing.T) {
	t.Parallel()
	def, ok := element.Default().Lookup("generic")
	require.True(t, ok)
	require.Equal(t, "general", def.Hub)
	require.Equal(t, vocab.AuthNone, def.Auth.Style)
	require.Equal(t, vocab.PaginationNone, def.Pagination.Style)
	require.Empty(t, def.Resources)
	require.Equal(t, []string{"base.url"}, def.ConfigKeys())
	_, err := def.ExpandBaseURL(mapLookup(nil))
	require.ErrorIs(t, err, element.ErrInvalid)
	require.ErrorContains(t, err, `base.url: is missing; the template "{base.url}" needs it`)
	require.Equal(t, "CREATED", def.Webhook.Topics.Actions["create"])
}

// TestBuiltinJSONRoundTrip checks that a definition written back to JSON
// reads the same, so users can start their own from a built-in.
func TestBuiltinJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, def := range element.Builtins() {
		data, err := json.Marshal(def)
		require.NoError(t, err)
		again, err := element.ParseDefinition(data)
		require.NoError(t, err, "%s", data)
		require.Equal(t, def, again)
	}
}
