package element

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIsSecretKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]bool{
		"oauth.api.key":                    true,
		"oauth.api.secret":                 true,
		"event.notification.signature.key": true,
		"user.password":                    true,
		"access_token":                     true,
		"client.credentials":               true,
		"store.url":                        false,
		"event.notification.callback.url":  false,
		"filter.response.nulls":            false,
		"event.poller.refresh_interval":    false,
	} {
		require.Equal(t, want, isSecretKey(key), key)
	}
}
