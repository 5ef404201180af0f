package element

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseLegacyURLs(t *testing.T) {
	t.Parallel()
	full := "customers|/hubs/ecommerce/customers?x=1|/customer/id|date_modified_gmt|yyyy-MM-dd'T'HH:mm:ss|GMT|date_created_gmt|yyyy-MM-dd'T'HH:mm:ss|UTC"
	tests := []struct {
		name    string
		in      string
		want    map[string]Resource
		wantErr bool
	}{
		{"all nine fields", full, map[string]Resource{"customers": {
			URL: "/hubs/ecommerce/customers?x=1", IDField: "customer.id", FilterByUpdatedDate: true,
			Dates: Dates{
				UpdatedField: "date_modified_gmt", UpdatedFormat: "yyyy-MM-dd'T'HH:mm:ss", UpdatedTimezone: "GMT",
				CreatedField: "date_created_gmt", CreatedFormat: "yyyy-MM-dd'T'HH:mm:ss", CreatedTimezone: "UTC",
			},
		}}, false},
		{"three fields, semicolons and newlines", "a|/a|id;\n b | /b | $.data.id \n\n", map[string]Resource{
			"a": {URL: "/a", IDField: "id", FilterByUpdatedDate: true},
			"b": {URL: "/b", IDField: "data.id", FilterByUpdatedDate: true},
		}, false},
		{"too few fields", "a|/a", nil, true},
		{"too many fields", full + "|x", nil, true},
		{"empty url", "a||id", nil, true},
		{"duplicate resource", "a|/a|id;a|/b|id", nil, true},
		{"nothing", " ; \n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseLegacyURLs(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrLegacyURLs)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// FuzzParseLegacyURLs checks that the pipe format parser never panics and
// that every resource it returns has the required fields.
func FuzzParseLegacyURLs(f *testing.F) {
	f.Add("customers|/hubs/ecommerce/customers|id|date_modified_gmt|yyyy-MM-dd'T'HH:mm:ss|GMT|date_created_gmt|yyyy-MM-dd'T'HH:mm:ss|GMT")
	f.Add("a|/a|/x/id;\nb|/b|$.id")
	f.Add("|||;;\n|")
	f.Fuzz(func(t *testing.T, s string) {
		res, err := parseLegacyURLs(s)
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
