package engine

// Tenant is who a request was authenticated as, for the web layers (api,
// console): it sees and changes only its own instances, events and
// deliveries. The hook that names it, func(*http.Request) (Tenant,
// error), is shared by them, so a host writes it once.
type Tenant struct {
	// ID names the tenant: the Tenant of every instance it creates.
	// Required.
	ID string

	// ElementToken is the instance token the request carried
	// ("Authorization: ..., Element <token>"), empty when none: the API's
	// /instances/enabled routes address the instance by it.
	ElementToken string
}
