package vendorauth_test

import (
	"slices"
	"testing"

	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendorauth/tokentest"
)

func TestMemoryTokenStore(t *testing.T) {
	t.Parallel()
	tokentest.Run(t, func(t *testing.T, n int) []vendorauth.TokenStore {
		return slices.Repeat([]vendorauth.TokenStore{vendorauth.NewMemoryTokenStore()}, n)
	})
}
