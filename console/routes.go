package console

import (
	"errors"
	"net/http"

	"github.com/a12b7632/elementevents/engine"
)

// tenantHandler is a page handler that needs the signed-in tenant.
type tenantHandler func(w http.ResponseWriter, r *http.Request, tenant string)

// register puts every page on the mux. Paths are relative to the prefix.
func (h *Handler) register() {
	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.cfg.Prefix+"/instances", http.StatusSeeOther)
	})
	h.mux.Handle("GET /static/", staticFiles())
	h.mux.HandleFunc("GET /login", h.login)
	h.mux.HandleFunc("POST /login", h.login)
	h.mux.HandleFunc("POST /logout", h.logout)
	h.mux.Handle("GET /instances", h.signedIn(h.listInstances))
	h.registerInstances()
	h.registerEvents()
}

// signedIn runs next with the request's tenant, or sends the browser to
// sign in (401 without sessions).
func (h *Handler) signedIn(next tenantHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := h.tenant(r)
		switch {
		case errors.Is(err, errSignedOut) && h.cfg.SessionKey != nil:
			http.Redirect(w, r, h.cfg.Prefix+"/login", http.StatusSeeOther)
		case err != nil:
			w.Header().Set("WWW-Authenticate", `Elements realm="console"`)
			http.Error(w, "sign in: send the Authorization header the API takes", http.StatusUnauthorized)
		default:
			next(w, r, t.ID)
		}
	})
}

// notFound answers a missing or foreign id as one: 404.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, tenant string) {
	h.render(w, r, http.StatusNotFound, "error", page{Title: "Not found", Tenant: tenant,
		Error: "There is no such instance or event."})
}

// isNotFound reports the engine errors a page answers 404.
func isNotFound(err error) bool {
	return errors.Is(err, engine.ErrNotFound) || errors.Is(err, engine.ErrEventNotFound)
}
