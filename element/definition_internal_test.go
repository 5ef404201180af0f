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

func TestDefinitionClone(t *testing.T) {
	t.Parallel()
	def, ok := defaultCatalogue.Lookup("woocommercerest")
	require.True(t, ok)
	c := def.clone()
	require.Equal(t, def, c)

	c.Paths["/hubs/ecommerce/customers"] = "/changed"
	c.Defaults = map[string]string{"x": "y"}
	c.Resources["customers"] = Resource{URL: "/changed"}
	c.Webhook.Methods[0] = "GET"
	c.Webhook.Topics.Objects["customer"] = "changed"
	c.Webhook.Topics.Actions["created"] = "DELETED"
	require.Equal(t, "/customers", def.Paths["/hubs/ecommerce/customers"])
	require.Nil(t, def.Defaults)
	require.Equal(t, "id", def.Resources["customers"].IDField)
	require.Equal(t, "POST", def.Webhook.Methods[0])
	require.Equal(t, "customers", def.Webhook.Topics.Objects["customer"])
	require.Equal(t, "CREATED", def.Webhook.Topics.Actions["created"])

	require.Nil(t, (*Definition)(nil).clone())
}
