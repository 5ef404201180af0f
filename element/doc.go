// Package element reads element instances: the JSON body of an /instances
// call that configures one connection to a vendor (a WooCommerce store, a
// Concur account, any REST API) and how its changes become events.
//
// The shortest use:
//
//	inst, err := element.Parse(body)
//	if err != nil {
//		return err // *element.SyntaxError, or *element.ValidationError: every problem, by configuration key
//	}
//	for _, w := range inst.Warnings {
//		log.Print(w) // such as events configured but not enabled
//	}
//	fmt.Println(inst.Configuration.Events.RefreshInterval)
//
// # Instances
//
// [Parse] turns the body into an [Instance]. Its [Configuration] keeps every
// key as written (read vendor keys with [Configuration.Get]) and types the
// event.* keys in [Events]: whether events are enabled, the vendor type
// (webhook or polling), the callback URL, the signature key (a
// [signature.Key], redacted wherever it is printed), the refresh
// interval, and the polled resources ([Resource]), from
// event.poller.configuration or the legacy event.poller.urls. Parse also checks the rules of a usable instance;
// [Instance.Validate] checks them for an instance built in Go.
//
// # Errors and warnings
//
// Reading an instance or a definition is one pipeline: the values are read
// and every problem with them collected (a wrong type, an unknown vendor
// type, a number out of range, an unknown field), then the rules add
// theirs (a callback that is not an absolute URL, a date pattern that does
// not compile, a resource without idField). All come back in one
// [*ValidationError] (errors.Is [ErrInvalid]), a [Problem] each, sorted by
// the configuration key or JSON path it concerns; errors.Is finds the
// sentinel a problem wraps ([javatime.ErrPattern], [javatime.ErrZone],
// [ErrPlaceholder], [ErrLegacyURLs], [ErrUnknownElement]). JSON that cannot
// be read at all is a [*SyntaxError] (errors.Is [ErrSyntax]) with line and
// column; at an unexpected end it names the object or array left open and
// where it began.
//
// A body can parse and still not do what its author meant. [Warning]s,
// kept apart from errors in [Instance.Warnings], say so: events configured
// but event.notification.enabled not set (so events are off), values still
// holding the documentation's <PLACEHOLDERS>, settings that are ignored,
// and misspelt event.* keys.
//
// # Dates
//
// Vendors write dates in many ways; resources describe them with Java
// SimpleDateFormat patterns such as yyyy-MM-dd'T'HH:mm:ss and zones such as
// GMT, which package [github.com/a12b7632/elementevents/javatime] reads and
// writes as the JDK does; Validate checks them with it, and the
// ${gmtDate:...}-style placeholders of resource URLs ([Resource].URL
// lists them).
//
// # The catalogue
//
// A [Definition] describes an element as data: its API base URL, auth
// (none, basic, bearer, query, header or oauth1; chosen by the base URL's
// scheme where AuthByScheme says, see [Definition.AuthFor]: WooCommerce
// wants OAuth 1.0a over http and Basic over https), pagination, records
// path, paths, inbound webhook scheme, and how to register webhooks at
// the vendor ([Subscription]). The built-in
// definitions are woocommercerest, concur and generic, in the default
// catalogue, [Default], which Parse reads. Add your own there with
// [ParseDefinition] and [Catalogue.Register], and find them with
// [Catalogue.Lookup]. A [Catalogue] of your own parses instances against
// its definitions with [Catalogue.Parse].
package element
