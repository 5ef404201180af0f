package console

// registerEvents puts the event log pages (list, show, replay) on the
// mux.
func (h *Handler) registerEvents() {}
