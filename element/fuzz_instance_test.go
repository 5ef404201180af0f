package element_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/a12b7632/elementevents/element"
)

// FuzzParse checks that no body makes Parse, Validate or a marshal round
// trip panic; that Parse fails with exactly one of *SyntaxError (ErrSyntax)
// and *ValidationError (ErrInvalid); that what it accepts validates, and
// reads back after json.Marshal with the same warnings.
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
	f.Add([]byte("{\n  \"configuration\": {\n    \"event.poller.configuration\": {\"a\": {\"url\": \"/a\"}\n  }\n"))
	f.Add([]byte(`{"configuration": {"event.vendor.type": "webhook", "event.objects": "a", "Event.Objects": "<A>"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inst, err := element.Parse(data)
		if err != nil {
			checkErrorContract(t, data, err)
			if inst != nil {
				t.Fatal("instance returned with an error")
			}
			return
		}
		if err := inst.Validate(); err != nil {
			t.Fatalf("Parse accepted an instance that does not validate: %v", err)
		}
		_ = inst.Configuration.String()
		out, err := json.Marshal(inst)
		if err != nil {
			t.Fatalf("marshal of a parsed instance failed: %v", err)
		}
		again, err := element.Parse(out)
		if err != nil {
			t.Fatalf("a marshalled instance does not parse: %v\n%s", err, out)
		}
		if len(again.Warnings) != len(inst.Warnings) {
			t.Fatalf("warnings changed in a round trip: %v, then %v", inst.Warnings, again.Warnings)
		}
	})
}

// checkErrorContract checks an error of Parse or ParseDefinition for data:
// exactly one of ErrSyntax, with a *SyntaxError locating it in data, and
// ErrInvalid, with a *ValidationError whose problems are sorted by path.
func checkErrorContract(t *testing.T, data []byte, err error) {
	t.Helper()
	se, isSyntax := errors.AsType[*element.SyntaxError](err)
	ve, isInvalid := errors.AsType[*element.ValidationError](err)
	if isSyntax != errors.Is(err, element.ErrSyntax) || isInvalid != errors.Is(err, element.ErrInvalid) || isSyntax == isInvalid {
		t.Fatalf("want exactly one of *SyntaxError and *ValidationError, with its sentinel: %T %v", err, err)
	}
	if isSyntax {
		if se.Offset < 0 || se.Offset > int64(len(data)) {
			t.Fatalf("offset %d outside the input of %d bytes", se.Offset, len(data))
		}
		if u := se.Unclosed; u != nil && (u.Offset >= int64(len(data)) || !strings.ContainsRune("{[", rune(data[u.Offset]))) {
			t.Fatalf("unclosed at offset %d is not an opening bracket: %+v", u.Offset, u)
		}
		return
	}
	if len(ve.Problems) == 0 {
		t.Fatal("a ValidationError without problems")
	}
	if !slices.IsSortedFunc(ve.Problems, func(a, b element.Problem) int { return strings.Compare(a.Path, b.Path) }) {
		t.Fatalf("problems not sorted by path: %v", err)
	}
}
