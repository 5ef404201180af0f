// Package interop_test checks elementevents against other implementations
// of the schemes it speaks: the Standard Webhooks reference library and
// Svix's Go library verify what package signature signs, and the reverse.
// It is a module of its own, tied in by go.work, so that the core module
// never requires those libraries.
package interop_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/signature"
)

var (
	key  = []byte("a-signature-key")
	body = []byte(`{"message":{"eventId":"abc","events":[]}}`)
)

func newSigner(t testing.TB, k []byte) *signature.Signer {
	t.Helper()
	s, err := signature.NewSigner(k)
	require.NoError(t, err)
	return s
}
