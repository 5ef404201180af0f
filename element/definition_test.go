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

// minimalDefinition is the smallest valid definition body.
const minimalDefinition = `{"key":"acme","hub":"general","baseUrl":"{base.url}"}`

// withFields returns minimalDefinition with extra top-level members.
func withFields(members string) string {
	return strings.TrimSuffix(minimalDefinition, "}") + "," + members + "}"
}

func TestParseDefinition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		// wantErr is matched with errors.Is; wantMsgs must all appear in
		// the error text.
		wantErr  error
		wantMsgs []string
	}{
		{name: "minimal", body: minimalDefinition},
		{
			name: "complete",
			body: `{
				"key": "shop_2", "name": "Shop", "hub": "ecommerce",
				"baseUrl": "https://{shop}.example.com/api",
				"defaults": {"shop": "demo"},
				"auth": {"style": "header", "tokenKey": "api.token", "param": "X-Api-Key", "prefix": "Token "},
				"pagination": {"style": "offset", "offsetParam": "skip", "sizeParam": "take", "totalField": "meta.total"},
				"recordsPath": "data.items", "defaultPageSize": 50, "maxPageSize": 200,
				"paths": {"/hubs/ecommerce/orders": "/v2/orders"},
				"resources": {"orders": {"url": "/hubs/ecommerce/orders?since=${gmtDate:yyyy-MM-dd}", "idField": "order.id",
					"datesConfiguration": {"updatedDateField": "updated", "updatedDateFormat": "yyyy-MM-dd", "updatedDateTimezone": "UTC"}}},
				"webhook": {"signatureScheme": "hmac-sha256", "signatureHeader": "X-Sig", "signatureEncoding": "hex",
					"signaturePrefix": "sha256=", "secretKey": "webhook.secret", "changesPath": "events",
					"objectTypePath": "type", "objectIdPath": "data.id", "eventTypePath": "action",
					"methods": ["POST", "GET"], "formEncoded": true}
			}`,
		},
		{
			name:     "syntax error gives line, column and offset",
			body:     `{"key": "acme", "hub": }`, // the } is byte 23
			wantErr:  element.ErrSyntax,
			wantMsgs: []string{"line 1, column 24 (byte 23)"},
		},
		{
			name:     "truncated names the object left open",
			body:     "{\"key\": \"acme\",\n \"auth\": {\"style\": \"basic\"",
			wantErr:  element.ErrSyntax,
			wantMsgs: []string{"unexpected end of JSON input: the object at auth (line 2, column 10) is not closed"},
		},
		{
			name:     "wrong type names the field",
			body:     withFields(`"pagination": {"firstPage": "1"}`),
			wantErr:  element.ErrInvalid,
			wantMsgs: []string{"pagination.firstPage: must be an integer, got a string"},
		},
		{
			name:     "not an object",
			body:     ` [1, 2]`,
			wantErr:  element.ErrSyntax,
			wantMsgs: []string{"line 1, column 2 (byte 1): a definition must be an object, got an array"},
		},
		{
			name:     "unknown field names path and offset",
			body:     `{"key":"acme","hub":"general","baseUrl":"{base.url}","pagination":{"pageSize":10}}`,
			wantErr:  element.ErrInvalid,
			wantMsgs: []string{"pagination.pageSize: unknown field at offset 67"},
		},
		{
			name:     "unknown field in a resource",
			body:     withFields(`"resources": {"c": {"url": "/c", "idField": "id", "idfield2": 1}}`),
			wantErr:  element.ErrInvalid,
			wantMsgs: []string{"resources.c.idfield2: unknown field"},
		},
		{
			name:     "field differing in case is unknown, with a hint",
			body:     `{"key":"acme","hub":"general","baseURL":"{base.url}"}`,
			wantErr:  element.ErrInvalid,
			wantMsgs: []string{`baseURL: unknown field at offset 30, did you mean "baseUrl"?`},
		},
		{
			name:     "duplicate field",
			body:     withFields(`"hub": "ecommerce"`),
			wantErr:  element.ErrInvalid,
			wantMsgs: []string{"hub: duplicate field"},
		},
		{
			name:     "every problem at once",
			body:     `{"pagination": {"style": "pages"}, "resources": {"customers": {"url": "/c"}}}`,
			wantErr:  element.ErrInvalid,
			wantMsgs: []string{"key: required", "hub: required", "baseUrl: required", "pagination.style: must be one of none, page, link, next-url, offset", "resources.customers.idField: required"},
		},
		{
			name:     "null body",
			body:     `null`,
			wantErr:  element.ErrInvalid,
			wantMsgs: []string{"key: required"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			def, err := element.ParseDefinition([]byte(tt.body))
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.NotNil(t, def)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			require.Nil(t, def)
			for _, msg := range tt.wantMsgs {
				require.Contains(t, err.Error(), msg)
			}
		})
	}
}

// TestParseDefinitionProblems checks that ParseDefinition reports every
// problem of a body at once, by JSON path and in path order: values of the
// wrong type, unknown fields and broken rules, in resources too, each
// once, keeping the errors they wrap.
func TestParseDefinitionProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		wantPaths []string
		wantIs    []error
	}{
		{
			name: "types, unknown fields and rules together",
			body: `{"key": 5, "hub": "general", "baseUrl": "{base.url}", "defaultPageSize": "10", "extra": 1,
				"pagination": {"firstPage": 1.5}, "webhook": {"methods": "POST"}, "auth": {"style": "bearer"}}`,
			wantPaths: []string{"auth.tokenKey", "defaultPageSize", "extra", "key", "pagination.firstPage", "webhook.methods"},
		},
		{
			name: "resources, by their path in the definition",
			body: withFields(`"resources": {"c": {"url": "/c", "idField": "id", "pageSize": "many",
				"datesConfiguration": {"updatedDateFormat": "yyyy-qq"}}, "d": 5, "e": {"url": "/e"}}`),
			wantPaths: []string{"resources.c.datesConfiguration.updatedDateFormat", "resources.c.pageSize", "resources.d", "resources.e.idField"},
			wantIs:    []error{javatime.ErrPattern},
		},
		{
			name:      "out of range",
			body:      withFields(`"maxPageSize": 100000000000000000000`),
			wantPaths: []string{"maxPageSize"},
		},
		{
			name:      "object where a string belongs, and what is inside",
			body:      withFields(`"recordsPath": {"a": 1}, "auth": {"tokenKey": ["x"], "style": true}`),
			wantPaths: []string{"auth.style", "auth.tokenKey", "recordsPath"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			def, err := element.ParseDefinition([]byte(tt.body))
			require.Nil(t, def)
			var ve *element.ValidationError
			require.ErrorAs(t, err, &ve)
			var paths []string
			for _, p := range ve.Problems {
				paths = append(paths, p.Path)
				require.Contains(t, err.Error(), p.Error(), "the error lists every problem")
			}
			require.Equal(t, tt.wantPaths, paths, "%v", err)
			for _, target := range tt.wantIs {
				require.ErrorIs(t, err, target)
			}
		})
	}
}

func TestParseDefinitionFillsDefaults(t *testing.T) {
	t.Parallel()
	def, err := element.ParseDefinition([]byte(withFields(
		`"pagination": {"style": "page"}, "webhook": {"signatureScheme": "hmac-sha256", "signatureHeader": "X-Sig", "secretKey": "s"}`)))
	require.NoError(t, err)
	require.Equal(t, vocab.AuthNone, def.Auth.Style)
	require.Equal(t, "page", def.Pagination.PageParam)
	require.Equal(t, 1, def.Pagination.FirstPage)
	require.Equal(t, vocab.EncodingBase64, def.Webhook.SignatureEncoding)
	require.Equal(t, []string{"POST"}, def.Webhook.Methods)
	require.Equal(t, ".", def.Webhook.Topics.Separator)
	// A definition with its defaults filled is still valid.
	require.NoError(t, def.Validate())

	def, err = element.ParseDefinition([]byte(withFields(`"pagination": {"style": "offset"}`)))
	require.NoError(t, err)
	require.Equal(t, "offset", def.Pagination.OffsetParam)
	require.Equal(t, vocab.PaginationNone, mustParse(t, minimalDefinition).Pagination.Style)

	def, err = element.ParseDefinition([]byte(withFields(
		`"authByScheme": {"http": {"style": "oauth1", "consumerKeyKey": "k", "consumerSecretKey": "s"}, "https": {}}`)))
	require.NoError(t, err)
	require.Equal(t, element.Auth{Style: vocab.AuthOAuth1, ConsumerKeyKey: "k", ConsumerSecretKey: "s",
		SignatureMethod: vocab.OAuth1HMACSHA256, Placement: vocab.OAuth1PlacementQuery}, def.AuthFor("http"))
	require.Equal(t, vocab.AuthNone, def.AuthFor("https").Style)
	require.NoError(t, def.Validate())
}

func mustParse(t *testing.T, body string) *element.Definition {
	t.Helper()
	def, err := element.ParseDefinition([]byte(body))
	require.NoError(t, err)
	return def
}

// TestValidateFields checks that each rule names the JSON path of the
// field it concerns.
func TestValidateFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		members string // added to minimalDefinition; may override its fields
		wantMsg string
		wantErr error
	}{
		{"key pattern", `"key": "Acme"`, "key: must be 1 to 64 of a-z", element.ErrInvalid},
		{"key too long", `"key": "` + strings.Repeat("a", 65) + `"`, "key: must be 1 to 64", element.ErrInvalid},
		{"hub pattern", `"hub": "E commerce"`, "hub: must be 1 to 64", element.ErrInvalid},
		{"base url unterminated", `"baseUrl": "{base.url"`, "baseUrl: ", element.ErrPlaceholder},
		{"base url not http", `"baseUrl": "ftp://example.com"`, "baseUrl: must be an absolute http(s) URL", element.ErrInvalid},
		{"base url relative", `"baseUrl": "/api"`, "baseUrl: must be an absolute http(s) URL", element.ErrInvalid},
		{"base url time placeholder", `"baseUrl": "https://x.example/${epoch}"`, "baseUrl: must not hold ${...}", element.ErrInvalid},
		{"defaults key", `"defaults": {"a b": "x"}`, "defaults.a b: key must be", element.ErrInvalid},
		{"auth style", `"auth": {"style": "oauth"}`, "auth.style: must be one of none, basic, bearer, query, header, oauth1", element.ErrInvalid},
		{"oauth1 needs consumer key", `"auth": {"style": "oauth1", "consumerSecretKey": "s"}`, "auth.consumerKeyKey: required for auth style oauth1", element.ErrInvalid},
		{"oauth1 needs consumer secret", `"auth": {"style": "oauth1", "consumerKeyKey": "k"}`, "auth.consumerSecretKey: required for auth style oauth1", element.ErrInvalid},
		{"oauth1 method", `"auth": {"style": "oauth1", "consumerKeyKey": "k", "consumerSecretKey": "s", "signatureMethod": "PLAINTEXT"}`, "auth.signatureMethod: must be one of HMAC-SHA256, HMAC-SHA1", element.ErrInvalid},
		{"oauth1 placement", `"auth": {"style": "oauth1", "consumerKeyKey": "k", "consumerSecretKey": "s", "placement": "body"}`, "auth.placement: must be query or header for auth style oauth1", element.ErrInvalid},
		{"oauth2 needs token url", `"auth": {"style": "oauth2-refresh", "clientIdKey": "c", "clientSecretKey": "s", "refreshTokenKey": "r"}`, "auth.tokenUrl: required for auth style oauth2-refresh", element.ErrInvalid},
		{"oauth2 needs refresh key", `"auth": {"style": "oauth2-refresh", "tokenUrl": "{b}/t", "clientIdKey": "c", "clientSecretKey": "s"}`, "auth.refreshTokenKey: required for auth style oauth2-refresh", element.ErrInvalid},
		{"oauth2 client needs secret", `"auth": {"style": "oauth2-client", "tokenUrl": "{b}/t", "clientIdKey": "c"}`, "auth.clientSecretKey: required for auth style oauth2-client", element.ErrInvalid},
		{"oauth2 client refresh key unused", `"auth": {"style": "oauth2-client", "tokenUrl": "{b}/t", "clientIdKey": "c", "clientSecretKey": "s", "refreshTokenKey": "r"}`, "auth.refreshTokenKey: not used by auth style oauth2-client", element.ErrInvalid},
		{"oauth2 token url", `"auth": {"style": "oauth2-client", "tokenUrl": "token", "clientIdKey": "c", "clientSecretKey": "s"}`, "auth.tokenUrl: must be an absolute http(s) URL", element.ErrInvalid},
		{"oauth2 token url placeholder", `"auth": {"style": "oauth2-client", "tokenUrl": "{b}/t?x=${epoch}", "clientIdKey": "c", "clientSecretKey": "s"}`, "auth.tokenUrl: must not hold ${...} placeholders", element.ErrInvalid},
		{"oauth2 placement", `"auth": {"style": "oauth2-client", "tokenUrl": "{b}/t", "clientIdKey": "c", "clientSecretKey": "s", "placement": "query"}`, "auth.placement: must be header or body for auth style oauth2-client", element.ErrInvalid},
		{"oauth2 scope", `"auth": {"style": "oauth2-client", "tokenUrl": "{b}/t", "clientIdKey": "c", "clientSecretKey": "s", "scopes": ["a b"]}`, "auth.scopes[0]: must be one non-empty scope", element.ErrInvalid},
		{"oauth2 fields on bearer", `"auth": {"style": "bearer", "tokenKey": "t", "forbiddenMeansExpired": true}`, "auth.forbiddenMeansExpired: not used by auth style bearer", element.ErrInvalid},
		{"basic placement", `"auth": {"style": "basic", "usernameKey": "u", "placement": "body"}`, "auth.placement: must be header or query for auth style basic", element.ErrInvalid},
		{"basic params need query", `"auth": {"style": "basic", "usernameKey": "u", "usernameParam": "ck"}`, "auth.usernameParam: not used by auth style basic", element.ErrInvalid},
		{"basic param name", `"auth": {"style": "basic", "usernameKey": "u", "placement": "query", "usernameParam": "a&b"}`, "auth.usernameParam: must be a query parameter name", element.ErrInvalid},
		{"oauth1 token unused", `"auth": {"style": "oauth1", "consumerKeyKey": "k", "consumerSecretKey": "s", "tokenKey": "t"}`, "auth.tokenKey: not used by auth style oauth1", element.ErrInvalid},
		{"oauth1 fields on basic", `"auth": {"style": "basic", "usernameKey": "u", "sendVersion": true}`, "auth.sendVersion: not used by auth style basic", element.ErrInvalid},
		{"oauth1 config key", `"auth": {"style": "oauth1", "consumerKeyKey": "a key", "consumerSecretKey": "s"}`, "auth.consumerKeyKey: must be a configuration key", element.ErrInvalid},
		{"auth by scheme name", `"authByScheme": {"ftp": {"style": "none"}}`, "authByScheme.ftp: must be http or https", element.ErrInvalid},
		{"auth by scheme style", `"authByScheme": {"http": {"style": "oauth"}}`, "authByScheme.http.style: must be one of", element.ErrInvalid},
		{"auth by scheme fields", `"authByScheme": {"http": {"style": "oauth1", "consumerKeyKey": "k"}}`, "authByScheme.http.consumerSecretKey: required for auth style oauth1", element.ErrInvalid},
		{"basic needs username", `"auth": {"style": "basic"}`, "auth.usernameKey: required for auth style basic", element.ErrInvalid},
		{"bearer needs token", `"auth": {"style": "bearer"}`, "auth.tokenKey: required for auth style bearer", element.ErrInvalid},
		{"query needs param", `"auth": {"style": "query", "tokenKey": "t"}`, "auth.param: required for auth style query", element.ErrInvalid},
		{"header name", `"auth": {"style": "header", "tokenKey": "t", "param": "X Key"}`, "auth.param: must be a valid header name", element.ErrInvalid},
		{"auth unused field", `"auth": {"tokenKey": "t"}`, "auth.tokenKey: not used by auth style none", element.ErrInvalid},
		{"auth config key", `"auth": {"style": "bearer", "tokenKey": "a token"}`, "auth.tokenKey: must be a configuration key", element.ErrInvalid},
		{"pagination style", `"pagination": {"style": "cursor"}`, "pagination.style: must be one of none, page, link, next-url, offset", element.ErrInvalid},
		{"next-url needs field", `"pagination": {"style": "next-url"}`, "pagination.nextField: required for pagination style next-url", element.ErrInvalid},
		{"page param unused", `"pagination": {"style": "link", "pageParam": "p"}`, "pagination.pageParam: not used by pagination style link", element.ErrInvalid},
		{"first page negative", `"pagination": {"style": "page", "firstPage": -1}`, "pagination.firstPage: must be at least 0", element.ErrInvalid},
		{"offset param unused", `"pagination": {"offsetParam": "o"}`, "pagination.offsetParam: not used by pagination style none", element.ErrInvalid},
		{"total header", `"pagination": {"totalHeader": "X Total"}`, "pagination.totalHeader: must be a valid header name", element.ErrInvalid},
		{"records path", `"recordsPath": "a..b"`, "recordsPath: must be a dotted path", element.ErrInvalid},
		{"page size negative", `"defaultPageSize": -1`, "defaultPageSize: must be at least 0", element.ErrInvalid},
		{"default above max", `"defaultPageSize": 200, "maxPageSize": 100`, "defaultPageSize: must not exceed maxPageSize (100)", element.ErrInvalid},
		{"hub path", `"paths": {"hubs/x": "/x"}`, "paths.hubs/x: hub path must start with /", element.ErrInvalid},
		{"vendor path", `"paths": {"/hubs/x": "x"}`, "paths./hubs/x: vendor path must start with /", element.ErrInvalid},
		{"resource url", `"resources": {"c": {"idField": "id"}}`, "resources.c.url: required", element.ErrInvalid},
		{"resource id field", `"resources": {"c": {"url": "/c"}}`, "resources.c.idField: required", element.ErrInvalid},
		{"resource id path", `"resources": {"c": {"url": "/c", "idField": ".id"}}`, "resources.c.idField: must be a dotted path", element.ErrInvalid},
		{"resource page size", `"resources": {"c": {"url": "/c", "idField": "id", "pageSize": -5}}`, "resources.c.pageSize: must be at least 0", element.ErrInvalid},
		{"resource name", `"resources": {"my objects": {"url": "/c", "idField": "id"}}`, "resources.my objects: object name", element.ErrInvalid},
		{
			"resource date format",
			`"resources": {"c": {"url": "/c", "idField": "id", "datesConfiguration": {"updatedDateFormat": "yyyy-qq"}}}`,
			"resources.c.datesConfiguration.updatedDateFormat: ", javatime.ErrPattern,
		},
		{
			"resource time zone",
			`"resources": {"c": {"url": "/c", "idField": "id", "datesConfiguration": {"createdDateTimezone": "Mars/Olympus"}}}`,
			"resources.c.datesConfiguration.createdDateTimezone: ", javatime.ErrZone,
		},
		{"resource placeholder", `"resources": {"c": {"url": "/c?since=${nope}", "idField": "id"}}`, "resources.c.url: ", element.ErrPlaceholder},
		{"signature scheme", `"webhook": {"signatureScheme": "rsa"}`, "webhook.signatureScheme: must be one of none, hmac-sha256, standard-webhooks", element.ErrInvalid},
		{"hmac needs header", `"webhook": {"signatureScheme": "hmac-sha256", "secretKey": "s"}`, "webhook.signatureHeader: required for signature scheme hmac-sha256", element.ErrInvalid},
		{"hmac needs secret", `"webhook": {"signatureScheme": "hmac-sha256", "signatureHeader": "X-Sig"}`, "webhook.secretKey: required for signature scheme hmac-sha256", element.ErrInvalid},
		{"standard webhooks needs secret", `"webhook": {"signatureScheme": "standard-webhooks"}`, "webhook.secretKey: required for signature scheme standard-webhooks", element.ErrInvalid},
		{"standard webhooks header unused", `"webhook": {"signatureScheme": "standard-webhooks", "secretKey": "s", "signatureHeader": "X"}`, "webhook.signatureHeader: not used by signature scheme standard-webhooks", element.ErrInvalid},
		{"encoding", `"webhook": {"signatureScheme": "hmac-sha256", "signatureHeader": "X", "secretKey": "s", "signatureEncoding": "base32"}`, "webhook.signatureEncoding: must be one of base64, hex", element.ErrInvalid},
		{"secret without scheme", `"webhook": {"secretKey": "s"}`, "webhook.secretKey: not used by signature scheme none", element.ErrInvalid},
		{"topic header", `"webhook": {"topicHeader": "X:Topic"}`, "webhook.topicHeader: must be a valid header name", element.ErrInvalid},
		{"delivery header", `"webhook": {"deliveryIdHeader": "X Id"}`, "webhook.deliveryIdHeader: must be a valid header name", element.ErrInvalid},
		{"method", `"webhook": {"methods": ["POST", "DELETE"]}`, "webhook.methods[1]: must be one of GET, POST, PUT, PATCH", element.ErrInvalid},
		{"duplicate method", `"webhook": {"methods": ["POST", "POST"]}`, "webhook.methods[1]: duplicate method POST", element.ErrInvalid},
		{"object id path", `"webhook": {"objectIdPath": "a."}`, "webhook.objectIdPath: must be a dotted path", element.ErrInvalid},
		{"date format needs path", `"webhook": {"dateFormat": "yyyy"}`, "webhook.datePath: required when dateFormat", element.ErrInvalid},
		{"date format", `"webhook": {"datePath": "d", "dateFormat": "yyyy-qq"}`, "webhook.dateFormat: ", javatime.ErrPattern},
		{"topic action", `"webhook": {"topics": {"actions": {"created": "NEW"}}}`, "webhook.topics.actions.created: must be one of CREATED, UPDATED, DELETED, UNKNOWN", element.ErrInvalid},
		{"topic object", `"webhook": {"topics": {"objects": {"customer": ""}}}`, "webhook.topics.objects.customer: resource and object type must be non-empty", element.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := element.ParseDefinition([]byte(withFields(tt.members)))
			require.Error(t, err)
			require.ErrorIs(t, err, element.ErrInvalid)
			require.ErrorIs(t, err, tt.wantErr)
			var ve *element.ValidationError
			require.ErrorAs(t, err, &ve)
			var texts []string
			for _, p := range ve.Problems {
				texts = append(texts, p.Error())
			}
			require.Condition(t, func() bool {
				for _, s := range texts {
					if strings.HasPrefix(s, tt.wantMsg) {
						return true
					}
				}
				return false
			}, "no problem starts with %q in %q", tt.wantMsg, texts)
		})
	}
}

func TestValidateNil(t *testing.T) {
	t.Parallel()
	var def *element.Definition
	require.ErrorIs(t, def.Validate(), element.ErrInvalid)
}

func TestDefinitionErrorMessage(t *testing.T) {
	t.Parallel()
	err := (&element.Definition{Key: "acme", Hub: "general"}).Validate()
	require.EqualError(t, err, `element: invalid definition "acme": baseUrl: required`)
	require.True(t, errors.Is(err, element.ErrInvalid))
	require.False(t, errors.Is(err, element.ErrSyntax))
}

func TestMapTopicWooCommerce(t *testing.T) {
	t.Parallel()
	def, ok := element.Default().Lookup("woocommercerest")
	require.True(t, ok)
	tests := []struct {
		topic, wantObject, wantEvent string
	}{
		{"customer.created", "customers", "CREATED"},
		{"customer.updated", "customers", "UPDATED"},
		{"customer.deleted", "customers", "DELETED"},
		{"order.created", "orders", "CREATED"},
		{"order.updated", "orders", "UPDATED"},
		{"order.deleted", "orders", "DELETED"},
		// restored is an untrash: the object is back, with its id, and its
		// modified date bumped, which is what polling would report too.
		{"order.restored", "orders", "UPDATED"},
		{"product.created", "products", "CREATED"},
		{"product.updated", "products", "UPDATED"},
		{"product.deleted", "products", "DELETED"},
		{"product.restored", "products", "UPDATED"},
		{"coupon.created", "coupons", "CREATED"},
		{"coupon.updated", "coupons", "UPDATED"},
		{"coupon.deleted", "coupons", "DELETED"},
		{"coupon.restored", "coupons", "UPDATED"},
		{"action.woocommerce_add_to_cart", "action", "UNKNOWN"},
		{"action.woocommerce_order_status_completed", "action", "UNKNOWN"},
		{" customer.updated ", "customers", "UPDATED"},
		{"customer.archived", "customers", "UNKNOWN"},
		{"subscription.created", "subscription", "CREATED"},
		{"customer.UPDATED", "customers", "UNKNOWN"},
		{"ping", "ping", "UNKNOWN"},
		{"", "", "UNKNOWN"},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			t.Parallel()
			object, event := def.Webhook.Topics.Map(tt.topic)
			require.Equal(t, tt.wantObject, object)
			require.Equal(t, tt.wantEvent, event)
		})
	}
}

func TestTopicMap(t *testing.T) {
	t.Parallel()
	m := element.TopicMap{
		Separator: "/",
		Objects:   map[string]string{"inv": "invoices"},
		Actions:   map[string]string{"new": "CREATED"},
	}
	object, event := m.Map("inv/new")
	require.Equal(t, "invoices", object)
	require.Equal(t, "CREATED", event)
	object, event = m.Map("inv.new")
	require.Equal(t, "inv.new", object)
	require.Equal(t, "UNKNOWN", event)

	object, event = m.Map("bills/DELETED")
	require.Equal(t, "bills", object)
	require.Equal(t, "UNKNOWN", event, "a topic's action is the vendor's word, never taken as an event type")

	// The zero TopicMap splits on "." and maps no action.
	object, event = element.TopicMap{}.Map("a.created")
	require.Equal(t, "a", object)
	require.Equal(t, "UNKNOWN", event)
}

func TestConfigKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		def  element.Definition
		want []string
	}{
		{"none", element.Definition{BaseURL: "https://api.example.com"}, nil},
		{"basic without password", element.Definition{BaseURL: "{u}/v1", Auth: element.Auth{Style: vocab.AuthBasic, UsernameKey: "api.key"}}, []string{"api.key", "u"}},
		{"query", element.Definition{BaseURL: "{u}", Auth: element.Auth{Style: vocab.AuthQuery, TokenKey: "t", Param: "key"}}, []string{"t", "u"}},
		{"header", element.Definition{BaseURL: "https://{t}.example.com", Auth: element.Auth{Style: vocab.AuthHeader, TokenKey: "t", Param: "X-Key"}}, []string{"t"}},
		{"oauth1 by scheme", element.Definition{BaseURL: "{u}", Auth: element.Auth{Style: vocab.AuthBasic, UsernameKey: "k", PasswordKey: "s"},
			AuthByScheme: map[string]element.Auth{"http": {Style: vocab.AuthOAuth1, ConsumerKeyKey: "ck", ConsumerSecretKey: "s"}}}, []string{"ck", "k", "s", "u"}},
		{"defaulted", element.Definition{BaseURL: "{host}/{ver}", Defaults: map[string]string{"ver": "v3"}}, []string{"host"}},
		{"malformed template", element.Definition{BaseURL: "{host"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.def.ConfigKeys())
		})
	}
}

func TestDefinitionBaseURLKeys(t *testing.T) {
	t.Parallel()
	for key, want := range map[string][]string{
		"woocommercerest": {"store.url"},
		"concur":          {"concur.base.url"}, // it has a default, and is named all the same
		"generic":         {"base.url"},
	} {
		def, ok := element.Default().Lookup(key)
		require.True(t, ok, key)
		require.Equal(t, want, def.BaseURLKeys(), key)
	}
	require.Empty(t, (&element.Definition{BaseURL: "https://api.example.com/v1"}).BaseURLKeys())
	require.Equal(t, []string{"host", "version"}, (&element.Definition{BaseURL: "https://{host}/api/{version}"}).BaseURLKeys())
}
