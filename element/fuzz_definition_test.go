package element_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/a12b7632/elementevents/element"
)

// FuzzParseDefinition checks that no input makes ParseDefinition panic,
// that every failure is exactly one of *SyntaxError (ErrSyntax) and
// *ValidationError (ErrInvalid), and that a definition it accepts is valid
// and survives a round trip through the catalogue.
func FuzzParseDefinition(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("definitions", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		minimalDefinition,
		`{}`, `null`, `[]`, `"x"`, `{"key":`, `{"key":"a","key":"b"}`,
		`{"resources":{"c":{"url":"/c?x=${gmtDate:yyyy}","idField":"id","datesConfiguration":{"updatedDateFormat":"''"}}}}`,
		`{"pagination":{"style":"page","firstPage":-1},"webhook":{"methods":["GET","GET"],"topics":{"actions":{"":"NEW"}}}}`,
		`{"key":"a","hub":"b","baseUrl":"{x}","paths":{"/hubs/a":"/a"},"resources":{"":{}}}`,
		`{"key":5,"hub":["b"],"baseUrl":{"x":1},"defaultPageSize":1e400,"auth":{"style":true},"webhook":{"methods":"GET"}}`,
		"{\n \"key\": \"a\",\n \"auth\": {\n  \"style\": \"basic\"\n\n}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		def, err := element.ParseDefinition(data)
		if err != nil {
			checkErrorContract(t, data, err)
			if def != nil {
				t.Fatal("definition returned with an error")
			}
			return
		}
		if err := def.Validate(); err != nil {
			t.Fatalf("accepted definition does not validate: %v", err)
		}
		var c element.Catalogue
		if err := c.Register(def); err != nil {
			t.Fatalf("accepted definition does not register: %v", err)
		}
		got, ok := c.Lookup(def.Key)
		if !ok || got.Key != def.Key {
			t.Fatalf("lookup after register: %v %v", got, ok)
		}
		_ = def.VendorPath("/hubs/" + def.Hub + "/x?y=z")
		_, _ = def.Webhook.Topics.Map("a.b")
	})
}
