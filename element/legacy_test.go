package element_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
)

func TestParseLegacyURLs(t *testing.T) {
	t.Parallel()
	full := "customers|/hubs/ecommerce/customers?x=1|/customer/id|date_modified_gmt|yyyy-MM-dd'T'HH:mm:ss|GMT|date_created_gmt|yyyy-MM-dd'T'HH:mm:ss|UTC"
	tests := []struct {
		name    string
		in      string
		want    map[string]element.Resource
		wantErr bool
	}{
		{"all nine fields", full, map[string]element.Resource{"customers": {
			URL: "/hubs/ecommerce/customers?x=1", IDField: "customer.id", FilterByUpdatedDate: true,
			Dates: element.Dates{
				UpdatedField: "date_modified_gmt", UpdatedFormat: "yyyy-MM-dd'T'HH:mm:ss", UpdatedTimezone: "GMT",
				CreatedField: "date_created_gmt", CreatedFormat: "yyyy-MM-dd'T'HH:mm:ss", CreatedTimezone: "UTC",
			},
		}}, false},
		{"three fields, semicolons and newlines", "a|/a|id;\n b | /b | $.data.id \n\n", map[string]element.Resource{
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
			got, err := element.ParseLegacyURLs(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, element.ErrLegacyURLs)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
