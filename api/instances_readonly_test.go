package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadOnlyFieldsAreNotStored(t *testing.T) {
	t.Parallel()
	r := setup(t)
	id := r.create()
	res := r.do("GET", "/instances/"+id, authAcme, "")
	require.Equal(t, http.StatusOK, res.status, res.body)
	// Write the answer back as it came, stale version fields and all.
	body := strings.Replace(res.body, `"version":1`, `"version":99`, 1)
	res = r.do("PUT", "/instances/"+id, authAcme, body)
	require.Equal(t, http.StatusOK, res.status, res.body)
	inst, err := r.eng.Get(t.Context(), "acme", id)
	require.NoError(t, err)
	for _, key := range []string{`"version"`, `"createdDate"`, `"updatedDate"`} {
		require.NotContains(t, string(inst.Body), key, "the stored body")
	}
	require.Equal(t, float64(2), res.json(t)["version"])
}
