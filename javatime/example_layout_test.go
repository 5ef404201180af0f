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

// A local time that happens twice, as clocks go back, is read as the JDK
// reads it: standard time. A zone name says which of the two it is.
func ExampleLayout_Parse() {
	la, err := javatime.NewLayout("yyyy-MM-dd'T'HH:mm:ss", "America/Los_Angeles")
	if err != nil {
		fmt.Println(err)
		return
	}
	t, _ := la.Parse("2026-11-01T01:30:00")
	fmt.Println(t.UTC())

	named, err := javatime.NewLayout("yyyy-MM-dd'T'HH:mm:ss z", "America/Los_Angeles")
	if err != nil {
		fmt.Println(err)
		return
	}
	t, _ = named.Parse("2026-11-01T01:30:00 PDT")
	fmt.Println(t.UTC())

	howe, err := javatime.NewLayout("d MMM yyyy HH:mm zzzz", "Australia/Lord_Howe")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(howe.Format(t))
	// Output:
	// 2026-11-01 09:30:00 +0000 UTC
	// 2026-11-01 08:30:00 +0000 UTC
	// 1 Nov 2026 19:30 Lord Howe Daylight Time
}
