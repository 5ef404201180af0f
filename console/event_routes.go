package console

// registerEvents puts the event log pages (list, show, replay) on the
// mux.
func (h *Handler) registerEvents() {
	h.mux.Handle("GET /events", h.signedIn(h.listEvents))
	h.mux.Handle("GET /events/{id}", h.signedIn(h.showEvent))
	h.mux.Handle("POST /events/{id}/replay", h.signedIn(h.replayEvent))
}
