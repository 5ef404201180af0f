package interop_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/engine"
)

// openAPIBody is a valid webhook instance for the API.
const openAPIBody = `{
  "element": {"key": "woocommercerest"},
  "configuration": {
    "store.url": "https://shop.example.com",
    "oauth.api.key": "ck_1", "oauth.api.secret": "cs_2",
    "event.notification.enabled": true, "event.vendor.type": "webhooks",
    "event.notification.callback.url": "https://app.example.com/hook"
  },
  "tags": ["t"], "name": "n", "x-kept": 1
}`

// TestOpenAPIDocument loads the document the api package serves with
// kin-openapi, validates it, and validates real answers of the handler
// (and the requests that led to them) against it.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	eng, err := engine.New(engine.Config{})
	require.NoError(t, err)
	h, err := api.New(api.Config{Engine: eng, Authenticate: func(*http.Request) (engine.Tenant, error) {
		return engine.Tenant{ID: "acme"}, nil
	}})
	require.NoError(t, err)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code)

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.True(t, doc.IsOpenAPI31OrLater())
	require.NoError(t, doc.Validate(loader.Context))

	// The document's server is relative ("/"); route this test's host.
	doc.Servers = openapi3.Servers{{URL: "http://localhost"}}
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}

	steps := []struct {
		method, path, body, contentType string
		want                            int
	}{
		{"POST", "/instances", strings.Replace(openAPIBody, "{", `{"id":"i1",`, 1), "application/json", 201},
		{"GET", "/instances?limit=10", "", "", 200},
		{"GET", "/instances/i1", "", "", 200},
		{"PATCH", "/instances/i1", `{"name":"m"}`, "application/merge-patch+json", 200},
		{"GET", "/instances/i1/configuration", "", "", 200},
		{"GET", "/instances/i1/configuration/store.url", "", "", 200},
		{"PATCH", "/instances/i1/configuration/oauth.api.secret", `{"propertyValue":"cs_3"}`, "application/json", 200},
		{"DELETE", "/instances/i1/enabled", "", "", 200},
		{"PUT", "/instances/i1/enabled", "", "", 200},
		{"PATCH", "/instances/i1", `{"configuration":{"event.notification.callback.url":"nope"}}`, "application/json", 422},
		{"PATCH", "/instances/i1", `{"name": }`, "application/json", 400},
		{"POST", "/instances/i1/poll", "", "", 409},
		{"GET", "/instances/nope", "", "", 404},
		{"DELETE", "/instances/i1", "", "", 204},
	}
	for _, s := range steps {
		req := httptest.NewRequest(s.method, "http://localhost"+s.path, strings.NewReader(s.body))
		if s.contentType != "" {
			req.Header.Set("Content-Type", s.contentType)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, s.want, rec.Code, "%s %s: %s", s.method, s.path, rec.Body)

		route, params, err := router.FindRoute(req)
		require.NoError(t, err, "%s %s", s.method, s.path)
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		if s.want < 400 {
			req.Body = io.NopCloser(strings.NewReader(s.body))
			require.NoError(t, openapi3filter.ValidateRequest(context.Background(), in), "%s %s", s.method, s.path)
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code,
			Header: rec.Header(), Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: opts}
		require.NoError(t, openapi3filter.ValidateResponse(context.Background(), out), "%s %s: %s", s.method, s.path, rec.Body)
	}

	// And the check can fail: an instance without its version is refused.
	req := httptest.NewRequest("GET", "http://localhost/instances/i1", nil)
	route, params, err := router.FindRoute(req)
	require.NoError(t, err)
	bad := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"id":"i1","disabled":false}`)), Options: opts}
	require.Error(t, openapi3filter.ValidateResponse(context.Background(), bad))
}
