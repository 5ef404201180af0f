package console

// registerInstances puts the instance pages (create, edit, show, and
// their actions) on the mux.
func (h *Handler) registerInstances() {
	h.mux.Handle("GET /instances/new", h.signedIn(h.newInstance))
	h.mux.Handle("POST /instances", h.signedIn(h.createInstance))
	h.mux.Handle("GET /instances/{id}", h.signedIn(h.showInstance))
	h.mux.Handle("GET /instances/{id}/edit", h.signedIn(h.editInstance))
	h.mux.Handle("POST /instances/{id}", h.signedIn(h.saveInstance))
	h.mux.Handle("POST /instances/{id}/enabled", h.signedIn(h.setEnabled))
	h.mux.Handle("POST /instances/{id}/poll", h.signedIn(h.pollNow))
	h.mux.Handle("POST /instances/{id}/endpoint/enable", h.signedIn(h.enableEndpoint))
	h.mux.Handle("POST /instances/{id}/delete", h.signedIn(h.deleteInstance))
	h.mux.Handle("GET /datepattern", h.signedIn(h.datePattern))
}
