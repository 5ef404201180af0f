package console

// registerInstances puts the instance pages (create, edit, show, and
// their actions) on the mux.
func (h *Handler) registerInstances() {}
