package javatime_test

import (
	"fmt"

	"github.com/a12b7632/elementevents/javatime"
)

// A WooCommerce date_modified_gmt value is read with the element's
// configured pattern and zone, then written in another pattern and zone.
func ExampleNewLayout() {
	woo, err := javatime.NewLayout("yyyy-MM-dd'T'HH:mm:ss", "GMT")
	if err != nil {
		fmt.Println(err)
		return
	}
	modified, err := woo.Parse("2026-11-24T13:45:07")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(modified.UTC())

	display, err := javatime.NewLayout("EEE, d MMM yyyy h:mm a zzzz", "America/New_York")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(display.Format(modified))

	// The pattern WooCommerce's default configuration ships is caught
	// when the element loads, not on the first poll.
	_, err = javatime.NewLayout("yyyy-MM-dd'T'HH:mm:ss'", "GMT")
	fmt.Println(err)
	// Output:
	// 2026-11-24 13:45:07 +0000 UTC
	// Tue, 24 Nov 2026 8:45 AM Eastern Standard Time
	// javatime: invalid pattern: unterminated quote at position 21 in "yyyy-MM-dd'T'HH:mm:ss'"; remove the trailing ' or close it
}
