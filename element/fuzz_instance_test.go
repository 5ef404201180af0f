package element_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/a12b7632/elementevents/element"
)

// FuzzParse checks that no body makes Parse, Validate or a marshal round
// trip panic, and that whatever Parse accepts it can read back after
// json.Marshal.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range seeds {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"configuration":{"event.poller.configuration":"{\"a\":{\"url\":\"/a?x=${gmtDate:yyyy}\",\"idField\":\"id\"}}"}}`))
	f.Add([]byte(`{"configuration":{"event.poller.urls":"a|/a|id|u|yyyy|GMT"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inst, err := element.Parse(data)
		if err != nil {
			return
		}
		_ = inst.Validate()
		_ = inst.Configuration.String()
		out, err := json.Marshal(inst)
		if err != nil {
			t.Fatalf("marshal of a parsed instance failed: %v", err)
		}
		if _, err := element.Parse(out); err != nil {
			t.Fatalf("a marshalled instance does not parse: %v\n%s", err, out)
		}
	})
}

// FuzzParseLegacyURLs checks that the pipe format parser never panics and
// that every resource it returns has the required fields.
func FuzzParseLegacyURLs(f *testing.F) {
	f.Add("customers|/hubs/ecommerce/customers|id|date_modified_gmt|yyyy-MM-dd'T'HH:mm:ss|GMT|date_created_gmt|yyyy-MM-dd'T'HH:mm:ss|GMT")
	f.Add("a|/a|/x/id;\nb|/b|$.id")
	f.Add("|||;;\n|")
	f.Fuzz(func(t *testing.T, s string) {
		res, err := element.ParseLegacyURLs(s)
		if err != nil {
			return
		}
		for name, r := range res {
			if name == "" || r.URL == "" {
				t.Fatalf("resource %q without name or url: %+v", name, r)
			}
		}
	})
}
