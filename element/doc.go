// Package element reads element instances: the JSON body of an /instances
// call that configures one connection to a vendor (a WooCommerce store, a
// Concur account, any REST API) and how its changes become events.
//
// The shortest use:
//
//	inst, err := element.Parse(body)
//	if err != nil {
//		return err // *element.SyntaxError or *element.ValidationError
//	}
//	if err := inst.Validate(); err != nil {
//		return err // every problem, each naming its configuration key
//	}
//	fmt.Println(inst.Configuration.Events.RefreshInterval)
//
// # Instances
//
// [Parse] turns the body into an [Instance]. Its [Configuration] keeps every
// key as written (read vendor keys with [Configuration.Get]) and types the
// event.* keys in [Events]: whether events are enabled, the vendor type
// (webhook or polling), the callback URL, the signature key (a [Secret],
// redacted wherever it is printed), the refresh interval, and the polled
// resources ([Resource]), from event.poller.configuration or the legacy
// event.poller.urls. [Instance.Validate] checks the rules and reports every
// problem at once in a [*ValidationError].
//
// # Dates
//
// Vendors write dates in many ways; resources describe them with Java
// SimpleDateFormat patterns such as yyyy-MM-dd'T'HH:mm:ss and zones such as
// GMT, which package [github.com/a12b7632/elementevents/javatime] reads and
// writes as the JDK does; Validate checks them with it. [CompileURL]
// expands the ${gmtDate:...}-style placeholders of resource URLs for a
// poll time.
//
// # The catalogue
//
// A [Definition] describes an element as data: its API base URL, auth,
// pagination, records path, paths and inbound webhook scheme. The built-in
// definitions are woocommercerest, concur and generic; add your own with
// [ParseDefinition] and [Register], and find them with [Lookup].
package element
