package element

import (
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
	require.ErrorContains(t, err, `defs/misnamed.json: element: invalid definition "other": key: "other" does not match the file name`)
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
