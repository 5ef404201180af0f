package element

import (
	"errors"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestLoadDefinitionsReportsEveryFile(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"defs/good.json":     {Data: []byte(`{"key":"good","hub":"general","baseUrl":"{base.url}"}`)},
		"defs/misnamed.json": {Data: []byte(`{"key":"other","hub":"general","baseUrl":"{base.url}"}`)},
		"defs/broken.json":   {Data: []byte(`{"key":`)},
		"defs/invalid.json":  {Data: []byte(`{"key":"invalid","hub":"general"}`)},
		"defs/notes.txt":     {Data: []byte(`ignored`)},
	}
	_, err := loadDefinitions(fsys, "defs")
	require.ErrorIs(t, err, ErrSyntax)
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, `defs/misnamed.json: key "other" does not match the file name`)
	require.ErrorContains(t, err, "defs/broken.json: ")
	require.ErrorContains(t, err, "defs/invalid.json: ")
	require.ErrorContains(t, err, "baseUrl: required")

	delete(fsys, "defs/misnamed.json")
	delete(fsys, "defs/broken.json")
	delete(fsys, "defs/invalid.json")
	defs, err := loadDefinitions(fsys, "defs")
	require.NoError(t, err)
	require.Len(t, defs, 1)
	require.Equal(t, "good", defs[0].Key)
}

func TestBuiltinFilesParse(t *testing.T) {
	t.Parallel()
	defs, err := loadDefinitions(builtinFS, "definitions")
	require.NoError(t, err)
	var keys []string
	for _, d := range defs {
		keys = append(keys, d.Key)
	}
	require.Equal(t, []string{"concur", "generic", "woocommercerest"}, keys)
}

// TestResourceProblemsRenamed checks that problems reported by Resource's
// own decoding, named "resource.<field>", are renamed to their path in the
// definition and keep the errors they wrap.
func TestResourceProblemsRenamed(t *testing.T) {
	t.Parallel()
	inner := fmt.Errorf("resource.datesConfiguration.updatedDateFormat: bad: %w", ErrDateFormat)
	multi := &fakeResourceDecodeError{errs: []error{inner, errors.New("resource.pageSize: must be a number"), errors.New("odd")}}
	var ps defProblems
	ps.resourceProblems("customers", multi)
	ps.resourceProblems("orders", errors.New("boom"))
	require.Len(t, ps, 4)
	require.EqualError(t, ps[0], "resources.customers.datesConfiguration.updatedDateFormat: bad: javatime: invalid pattern")
	require.ErrorIs(t, ps[0], ErrDateFormat)
	require.EqualError(t, ps[1], "resources.customers.pageSize: must be a number")
	require.EqualError(t, ps[2], "resources.customers: odd")
	require.EqualError(t, ps[3], "resources.orders: boom")
}

type fakeResourceDecodeError struct{ errs []error }

func (m *fakeResourceDecodeError) Error() string        { return "invalid" }
func (m *fakeResourceDecodeError) Is(target error) bool { return target == ErrInvalid }
func (m *fakeResourceDecodeError) Unwrap() []error      { return m.errs }
