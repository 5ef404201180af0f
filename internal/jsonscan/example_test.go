package jsonscan_test

import (
	"fmt"

	"github.com/a12b7632/elementevents/internal/jsonscan"
)

func Example() {
	page := []byte(`{"Items": [{"ID": "a1", "Owner": {"Name": "Ann"}}, {"ID": 2}], "NextPage": "/reports?offset=2"}`)

	// Records validates the page and reads the next-page field in one pass.
	next := jsonscan.Compile("NextPage")
	var nextVal [1]jsonscan.Value
	recs, err := next.Records(page, "Items", nextVal[:])
	if err != nil {
		fmt.Println(err)
		return
	}
	url, _ := nextVal[0].Text(page)
	fmt.Println(len(recs), "records, next page", url)

	// Find picks the fields of each record, skipping the rest.
	fields := jsonscan.Compile("ID", "Owner.Name")
	var vals [2]jsonscan.Value
	for _, rec := range recs {
		if err := fields.Find(rec, vals[:]); err != nil {
			fmt.Println(err)
			return
		}
		id, _ := vals[0].Text(rec)
		name, _ := vals[1].Text(rec)
		fmt.Printf("%s %s %q\n", vals[0].Kind, id, name)
	}

	// Errors give the byte offset.
	_, err = jsonscan.Records([]byte(`{"Items": [{"ID": 1},]}`), "Items")
	fmt.Println(err)
	// Output:
	// 2 records, next page /reports?offset=2
	// string a1 "Ann"
	// number 2 ""
	// offset 21: unexpected ']', expected a value
}
