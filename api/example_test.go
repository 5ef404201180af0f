package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/engine"
)

// ExampleNew mounts the API under /api/v2 of a host's mux, creates an
// instance and reads it back: secrets come back as "***".
func ExampleNew() {
	eng, err := engine.New(engine.Config{}) // in memory; a host runs eng.Run(ctx)
	if err != nil {
		panic(err)
	}
	h, err := api.New(api.Config{
		Engine: eng,
		Authenticate: api.ElementsAuth(api.ElementsAuthConfig{Tenants: []api.ElementsTenant{
			{ID: "acme", UserSecret: "user-secret", OrgSecret: "org-secret"},
		}}),
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v2/", http.StripPrefix("/api/v2", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/api/v2/instances", strings.NewReader(`{
	  "id": "42",
	  "element": {"key": "woocommercerest"},
	  "configuration": {
	    "store.url": "https://shop.example.com",
	    "oauth.api.key": "ck_123", "oauth.api.secret": "cs_456",
	    "event.notification.enabled": true, "event.vendor.type": "webhooks",
	    "event.notification.callback.url": "https://app.example.com/hook"
	  }
	}`))
	req.Header.Set("Authorization", "User user-secret, Organization org-secret")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var inst struct {
		ID            string         `json:"id"`
		Version       int            `json:"version"`
		Configuration map[string]any `json:"configuration"`
	}
	_ = json.Unmarshal(body, &inst)
	fmt.Println(res.Status, res.Header.Get("Location"), res.Header.Get("ETag"))
	fmt.Println(inst.ID, inst.Version, inst.Configuration["oauth.api.secret"])
	// Output:
	// 201 Created /api/v2/instances/42 "1"
	// 42 1 ***
}
