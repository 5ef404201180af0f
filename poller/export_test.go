package poller

// PlansCompiled returns how many resource plans s has compiled: one for
// each resource of its instance at NewHTTPSource, and one for each other
// Request.Config at its first Fetch.
func PlansCompiled(s *HTTPSource) int64 { return s.compiled.Load() }
