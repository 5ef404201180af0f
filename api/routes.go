package api

import (
	"net/http"
	"slices"
	"strings"
)

// routes is the one route table: New registers it on the mux and the
// contract test checks it against the OpenAPI document.
func (h *Handler) routes() []route {
	return []route{
		{"POST", "/instances", (*Handler).createInstance},
		{"GET", "/instances", (*Handler).listInstances},
		{"GET", "/instances/{id}", (*Handler).getInstance},
		{"PUT", "/instances/{id}", (*Handler).replaceInstance},
		{"PATCH", "/instances/{id}", (*Handler).patchInstance},
		{"DELETE", "/instances/{id}", (*Handler).deleteInstance},
		{"GET", "/instances/{id}/configuration", (*Handler).getConfiguration},
		{"GET", "/instances/{id}/configuration/{key}", (*Handler).getConfigurationKey},
		{"PATCH", "/instances/{id}/configuration/{key}", (*Handler).patchConfigurationKey},
		{"PUT", "/instances/{id}/enabled", (*Handler).enable},
		{"DELETE", "/instances/{id}/enabled", (*Handler).disable},
		{"PUT", "/instances/enabled", (*Handler).enableByToken},
		{"DELETE", "/instances/enabled", (*Handler).disableByToken},
		{"GET", "/instances/{id}/events", (*Handler).listEvents},
		{"GET", "/instances/events/{eventId}", (*Handler).getEvent},
		{"GET", "/instances/{id}/deliveries", (*Handler).listDeliveries},
		{"POST", "/deliveries/{id}/replay", (*Handler).replay},
		{"POST", "/deliveries/replay", (*Handler).replayAll},
		{"PUT", "/instances/{id}/endpoint/enabled", (*Handler).enableEndpoint},
		{"POST", "/instances/{id}/poll", (*Handler).poll},
		{"POST", "/instances/{id}/resync", (*Handler).resync},
		{"GET", openAPIPath, (*Handler).openAPI},
	}
}

// subPrefix starts the GET patterns of an instance's sub-resources. They
// share one mux pattern, GET /instances/{id}/{sub}, because each would
// otherwise overlap GET /instances/events/{eventId} (the mux refuses two
// patterns neither of which is more specific). So /instances/events/X
// is always the event X: an instance whose id is "events" cannot list its
// events, configuration or deliveries over the API.
const subPrefix = "/instances/{id}/"

// register puts the route table on the mux.
func (h *Handler) register() {
	subs := map[string]route{}
	for _, rt := range h.routes() {
		if rest, ok := strings.CutPrefix(rt.Pattern, subPrefix); ok && rt.Method == http.MethodGet && !strings.Contains(rest, "/") {
			subs[rest] = rt
			continue
		}
		h.mux.Handle(rt.Method+" "+rt.Pattern, h.wrap(rt))
	}
	wrapped := map[string]http.Handler{}
	for sub, rt := range subs {
		wrapped[sub] = h.wrap(rt)
	}
	h.mux.HandleFunc("GET "+subPrefix+"{sub}", func(w http.ResponseWriter, r *http.Request) {
		if sh, ok := wrapped[r.PathValue("sub")]; ok {
			sh.ServeHTTP(w, r)
			return
		}
		h.otherMethods(w, r)
	})
}

// otherMethods answers a GET of a path the API serves only with other
// methods (405 with Allow), or not at all (404).
func (h *Handler) otherMethods(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := h.mux.Handler(r2); p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		h.problem(w, r, &Problem{Status: http.StatusNotFound, Detail: "no such route"}, nil)
		return
	}
	slices.Sort(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	h.problem(w, r, &Problem{Status: http.StatusMethodNotAllowed,
		Detail: r.Method + " is not allowed here; allowed: " + strings.Join(allow, ", ")}, nil)
}
