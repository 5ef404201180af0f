package api_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/engine"
)

func TestElementsAuth(t *testing.T) {
	t.Parallel()
	auth := api.ElementsAuth(api.ElementsAuthConfig{Tenants: []api.ElementsTenant{
		{ID: "first", UserSecret: "u1", OrgSecret: "o1"},
		{ID: "dup", UserSecret: "u1", OrgSecret: "o1"},
		{ID: "no-org", UserSecret: "u2"},
		{ID: "", UserSecret: "u3", OrgSecret: "o3"},
		{ID: "second", UserSecret: "u4", OrgSecret: "o4"},
	}})
	tests := []struct {
		header  string
		want    engine.Tenant
		wantErr error
	}{
		{"User u1, Organization o1", engine.Tenant{ID: "first"}, nil},
		{"User u4, Organization o4, Element tok", engine.Tenant{ID: "second", ElementToken: "tok"}, nil},
		{"Element tok,User u4,  Organization o4", engine.Tenant{ID: "second", ElementToken: "tok"}, nil},
		{"User u1, Organization o4", engine.Tenant{}, api.ErrUnauthenticated},
		{"User u2, Organization ", engine.Tenant{}, api.ErrUnauthenticated},
		{"User u3, Organization o3", engine.Tenant{}, api.ErrUnauthenticated},
		{"User u1", engine.Tenant{}, api.ErrUnauthenticated},
		{"User u1, Organization o1, Element", engine.Tenant{}, api.ErrUnauthenticated},
		{"Basic dTE6bzE=", engine.Tenant{}, api.ErrUnauthenticated},
		{"", engine.Tenant{}, api.ErrUnauthenticated},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", tt.header)
		got, err := auth(r)
		assert.True(t, errors.Is(err, tt.wantErr) || err == tt.wantErr, "%q: %v", tt.header, err)
		assert.Equal(t, tt.want, got, tt.header)
		if err != nil {
			assert.NotContains(t, err.Error(), "u1")
		}
	}
}

func TestNewConfig(t *testing.T) {
	t.Parallel()
	authOK := func(*http.Request) (engine.Tenant, error) { return engine.Tenant{ID: "t"}, nil }
	tests := []struct {
		name string
		cfg  api.Config
	}{
		{"no engine", api.Config{Authenticate: authOK}},
		{"no authenticate", api.Config{Engine: backendStub{}}},
		{"negative limit", api.Config{Engine: backendStub{}, Authenticate: authOK, MaxBodyBytes: -1}},
	}
	for _, tt := range tests {
		_, err := api.New(tt.cfg)
		assert.ErrorIs(t, err, api.ErrConfig, tt.name)
	}
	_, err := api.New(api.Config{Engine: backendStub{}, Authenticate: authOK})
	assert.NoError(t, err)
}

// backendStub is a Backend for constructor tests: it is never called.
type backendStub struct{ api.Backend }
