package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
)

var _ Backend = (*engine.Engine)(nil)

// notFound is a Backend that has nothing: every call is ErrNotFound.
type notFound struct{}

func (notFound) Create(context.Context, string, []byte) (*engine.Instance, error) {
	return nil, engine.ErrNotFound
}
func (notFound) Get(context.Context, string, string) (*engine.Instance, error) {
	return nil, engine.ErrNotFound
}
func (notFound) List(context.Context, engine.Filter) ([]engine.Record, error) {
	return nil, engine.ErrNotFound
}
func (notFound) Update(context.Context, string, string, int64, []byte) (*engine.Instance, error) {
	return nil, engine.ErrNotFound
}
func (notFound) Patch(context.Context, string, string, int64, []byte) (*engine.Instance, error) {
	return nil, engine.ErrNotFound
}
func (notFound) SetEnabled(context.Context, string, string, bool) (*engine.Instance, error) {
	return nil, engine.ErrNotFound
}
func (notFound) Delete(context.Context, string, string, int64) error { return engine.ErrNotFound }
func (notFound) ByToken(context.Context, string) (*engine.Instance, error) {
	return nil, engine.ErrNotFound
}
func (notFound) PollNow(context.Context, string, string) error { return engine.ErrNotFound }
func (notFound) Resync(context.Context, string, string, string, engine.ResyncMode) error {
	return engine.ErrNotFound
}
func (notFound) Events(context.Context, engine.EventFilter) ([]engine.LoggedEvent, error) {
	return nil, engine.ErrNotFound
}
func (notFound) Event(context.Context, string, string) (engine.LoggedEvent, error) {
	return engine.LoggedEvent{}, engine.ErrNotFound
}
func (notFound) Replay(context.Context, string, string) error { return engine.ErrNotFound }
func (notFound) ReplayAll(context.Context, engine.EventFilter) (int, error) {
	return 0, engine.ErrNotFound
}
func (notFound) EnableEndpoint(context.Context, string, string) error { return engine.ErrNotFound }

// documentedOps returns "METHOD /path" of every operation of the
// document.
func documentedOps(t *testing.T, doc []byte) []string {
	t.Helper()
	var d struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(doc, &d))
	require.Equal(t, "3.1.0", d.OpenAPI)
	var ops []string
	for path, item := range d.Paths {
		for m := range item {
			switch m {
			case "get", "put", "post", "patch", "delete", "head", "options", "trace":
				ops = append(ops, strings.ToUpper(m)+" "+path)
			}
		}
	}
	slices.Sort(ops)
	return ops
}

// TestContractRoutesDocumented checks the OpenAPI document against the
// route table both ways, and that the handler routes every documented
// operation (answering neither 405 nor its no-route 404).
func TestContractRoutesDocumented(t *testing.T) {
	t.Parallel()
	h, err := New(Config{Engine: notFound{}, Authenticate: func(*http.Request) (engine.Tenant, error) {
		return engine.Tenant{ID: "t", ElementToken: "tok"}, nil
	}})
	require.NoError(t, err)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	served := rec.Body.Bytes()
	require.Equal(t, OpenAPI(), served)

	var routed []string
	for _, rt := range h.routes() {
		routed = append(routed, rt.Method+" "+rt.Pattern)
	}
	slices.Sort(routed)
	documented := documentedOps(t, served)
	require.Equal(t, routed, documented, "the route table and the document differ")

	fill := strings.NewReplacer("{id}", "i1", "{key}", "a.b", "{eventId}", "e1")
	for _, op := range documented {
		method, path, _ := strings.Cut(op, " ")
		req := httptest.NewRequest(method, fill.Replace(path), strings.NewReader(`{"propertyValue":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.NotEqual(t, http.StatusMethodNotAllowed, rec.Code, op)
		assert.NotContains(t, rec.Body.String(), "no such route", op)
	}
	// And the check can fail: an undocumented path is the no-route 404.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/instances/i1/nothing", nil))
	assert.Contains(t, rec.Body.String(), "no such route")
}
