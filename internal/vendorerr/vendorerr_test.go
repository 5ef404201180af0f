package vendorerr_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/vendorerr"
)

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, code, message string }{
		{`{"code":"woocommerce_rest_authentication_error","message":"Invalid timestamp.","data":{"status":401}}`, "woocommerce_rest_authentication_error", "Invalid timestamp."},
		{`{"code":108,"message":"x"}`, "108", "x"},
		{`<html>Forbidden</html>`, "", ""},
		{``, "", ""},
		{`{"message":"` + strings.Repeat("m", 1000) + `"}`, "", strings.Repeat("m", 256)},
	}
	for _, tt := range tests {
		code, message := vendorerr.Read([]byte(tt.body))
		require.Equal(t, tt.code, code, tt.body)
		if len(tt.message) == 256 {
			require.True(t, strings.HasPrefix(message, tt.message[:200]), "cut short")
			require.Less(t, len(message), 300)
			continue
		}
		require.Equal(t, tt.message, message, tt.body)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"code":"c","message":"m"}`))
	f.Add([]byte(`{"code":{"a":[1]},"message":"\u0000"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		code, message := vendorerr.Read(body)
		require.LessOrEqual(t, len(code), 128+40)
		require.LessOrEqual(t, len(message), 256+40)
	})
}
