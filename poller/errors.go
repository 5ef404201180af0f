package poller

import "errors"

// Errors of the poller and its sources. Test for them with [errors.Is];
// returned errors wrap them with the resource, URL (without credentials)
// and, for bad pages, the byte offset.
var (
	// ErrUnauthorized reports a 401 or 403 from the vendor: the resource
	// is stopped until its credentials are fixed.
	ErrUnauthorized = errors.New("poller: vendor refused the credentials")

	// ErrMalformedPage reports a page that is not JSON, or whose records
	// are not where the definition says (not an array of objects).
	ErrMalformedPage = errors.New("poller: malformed page")

	// ErrVendor reports a vendor answer that stayed failing (5xx, 429,
	// timeouts, network errors) after every retry.
	ErrVendor = errors.New("poller: vendor request failed")

	// ErrPageLoop reports a vendor whose pagination leads back to a page
	// already fetched in the same cycle (A → B → A, or a page naming
	// itself). The cycle stops there and counts for nothing: no event is
	// published, so no record is reported DELETED from the pages it saw.
	ErrPageLoop = errors.New("poller: pagination loops back to a page already fetched")

	// ErrTooManyPages reports a resource whose pages did not end within its
	// page cap (Config.MaxPages, Config.ResourceMaxPages). Like ErrPageLoop
	// it fails the cycle; the error wraps ErrVendor too.
	ErrTooManyPages = errors.New("poller: more pages than the resource's cap")

	// ErrConfig reports an instance or definition the poller cannot run:
	// no definition, a base URL that cannot be filled, a resource URL,
	// date pattern or zone that does not compile.
	ErrConfig = errors.New("poller: bad configuration")
)
