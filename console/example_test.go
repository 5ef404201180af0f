package console_test

import (
	"crypto/rand"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/console"
	"github.com/a12b7632/elementevents/engine"
)

// A host mounts the console beside the API, both authenticating with the
// same hook; the console signs browsers in with the same two secrets.
func ExampleNew() {
	eng, err := engine.New(engine.Config{})
	if err != nil {
		log.Fatal(err)
	}
	auth := api.ElementsAuth(api.ElementsAuthConfig{Tenants: []api.ElementsTenant{
		{ID: "acme", UserSecret: "user-secret", OrgSecret: "org-secret"},
	}})
	key := make([]byte, 32)
	_, _ = rand.Read(key) // sign-ins end at restart; keep the key to keep them
	h, err := console.New(console.Config{Engine: eng, Authenticate: auth, SessionKey: key})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/console/", h)

	for _, path := range []string{"/console/login", "/console/instances"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Printf("%s %d location=%q\n", path, rec.Code, rec.Header().Get("Location"))
	}
	// Output:
	// /console/login 200 location=""
	// /console/instances 303 location="/console/login"
}
