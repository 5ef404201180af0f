// Command instances parses the two documented WooCommerce instance bodies,
// one polling and one webhook, which checks them too, and prints their
// typed event settings and any warnings. It is the README's first command until the quickstart, which
// runs the whole engine, exists.
//
//	go run ./examples/instances
package main

import (
	_ "embed"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/a12b7632/elementevents/element"
)

var (
	//go:embed polling.json
	pollingBody []byte
	//go:embed webhook.json
	webhookBody []byte
)

func main() {
	for _, body := range [][]byte{pollingBody, webhookBody} {
		if err := show(body); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func show(body []byte) error {
	inst, err := element.Parse(body) // every problem at once, by config key
	if err != nil {
		return err
	}
	e := inst.Configuration.Events
	store, _ := inst.Configuration.Get("store.url")
	fmt.Printf("instance %q (element %s, tags %v)\n", inst.Name, inst.Element.Key, inst.Tags)
	fmt.Printf("  store.url        %s\n", store)
	fmt.Printf("  configuration    %v\n", inst.Configuration) // secrets are redacted
	fmt.Printf("  events enabled   %t, vendor type %s\n", e.Enabled, e.VendorType)
	fmt.Printf("  callback URL     %s\n", e.CallbackURL)
	fmt.Printf("  signature key    %v\n", e.SignatureKey)
	for _, w := range inst.Warnings {
		fmt.Printf("  warning          %v\n", w)
	}
	if e.VendorType != "polling" {
		return nil
	}
	fmt.Printf("  refresh interval %v\n", e.RefreshInterval)
	for _, name := range slices.Sorted(maps.Keys(e.Resources)) {
		r := e.Resources[name]
		fmt.Printf("  resource %-9s url %s, id %s, updated %s (%s %s), created %s, tolerance %v\n",
			name, r.URL, r.IDField, r.Dates.UpdatedField, r.Dates.UpdatedFormat, r.Dates.UpdatedTimezone,
			r.Dates.CreatedField, r.CreatedCheckTolerance)
	}
	return nil
}
