package element

import (
	"errors"

	"github.com/a12b7632/elementevents/internal/urltemplate"
)

// Errors returned by this package. Test for them with [errors.Is]; the
// returned errors wrap them with the offending key, pattern or value.
// Those of ErrSyntax and ErrInvalid are also of one type each, for
// [errors.As]. A problem with a date pattern or a time zone wraps
// [javatime.ErrPattern] or [javatime.ErrZone].
var (
	// ErrSyntax reports an instance or definition body that is not valid
	// JSON, or not a JSON object. Every error that matches it is a
	// [*SyntaxError].
	ErrSyntax = errors.New("element: invalid JSON")

	// ErrInvalid reports an instance, configuration or definition with
	// values that cannot be read or that break a rule. Every error that
	// matches it is a [*ValidationError] listing every [Problem].
	ErrInvalid = errors.New("element: invalid configuration")

	// ErrPlaceholder reports a ${...} URL placeholder that is unknown or
	// malformed (see [Resource].URL for the placeholders), or a
	// {config.key} reference of a base URL template that is.
	ErrPlaceholder = urltemplate.ErrPlaceholder

	// ErrLegacyURLs reports a malformed event.poller.urls entry.
	ErrLegacyURLs = errors.New("element: invalid event.poller.urls")

	// ErrUnknownElement reports an element key that has no registered
	// [Definition].
	ErrUnknownElement = errors.New("element: unknown element")
)
