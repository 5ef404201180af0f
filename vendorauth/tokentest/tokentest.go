// Package tokentest is the conformance suite for implementations of
// [vendorauth.TokenStore]. The in-memory store, the embedded file store
// (boltstore) and PostgreSQL (riverstore) all run it, so a host can move
// from one to another without changing what a rotated refresh token
// survives.
//
// Run it from a test in the implementation's package, handing it a
// function that opens n handles on one fresh storage: n pools or
// connections, as n replicas would hold, or the same in-process store n
// times:
//
//	func TestTokenStore(t *testing.T) {
//		tokentest.Run(t, func(t *testing.T, n int) []vendorauth.TokenStore {
//			s := mystore.New(...)
//			return slices.Repeat([]vendorauth.TokenStore{s}, n)
//		})
//	}
//
// Every case uses keys of its own, so handles that share one table may be
// returned for every case.
package tokentest

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/suite"
	"github.com/a12b7632/elementevents/vendorauth"
)

// Open returns n handles on one storage; see the package comment.
type Open func(t *testing.T, n int) []vendorauth.TokenStore

// peers is how many handles each case opens.
const peers = 3

// Run runs the conformance suite. Subtests run in parallel, so open may
// be called concurrently.
func Run(t *testing.T, open Open) {
	t.Helper()
	suite.Run(t, groups, func(t *testing.T) *rig {
		s := open(t, peers)
		require.Len(t, s, peers, "open(t, %d) returned %d handles", peers, len(s))
		return &rig{t: t, s: s, prefix: t.Name() + "/"}
	})
}

// rig is one case's handles and key prefix.
type rig struct {
	t      *testing.T
	s      []vendorauth.TokenStore
	prefix string
}

func (r *rig) key(k string) string { return r.prefix + k }

// t0 is a token expiry with microseconds, the precision every store keeps.
var t0 = time.Date(2026, 12, 7, 12, 0, 0, 123456000, time.UTC)

func sample(n int) vendorauth.Token {
	return vendorauth.Token{
		AccessToken:  vendorauth.Secret("access-" + strconv.Itoa(n)),
		RefreshToken: vendorauth.Secret("refresh-" + strconv.Itoa(n)),
		TokenType:    "Bearer",
		Expiry:       t0.Add(time.Duration(n) * time.Hour),
		Seed:         "seed-" + strconv.Itoa(n),
	}
}

// put stores tok under key through handle 0.
func (r *rig) put(key string, tok vendorauth.Token) {
	r.t.Helper()
	got, err := r.s[0].Update(r.t.Context(), r.key(key), func(vendorauth.Token, bool) (vendorauth.Token, error) { return tok, nil })
	require.NoError(r.t, err, "Update(%q)", key)
	requireToken(r.t, tok, got)
}

// requireToken compares tokens field by field, Expiry as an instant.
func requireToken(t *testing.T, want, got vendorauth.Token) {
	t.Helper()
	require.Equal(t, string(want.AccessToken), string(got.AccessToken), "AccessToken")
	require.Equal(t, string(want.RefreshToken), string(got.RefreshToken), "RefreshToken")
	require.Equal(t, want.TokenType, got.TokenType, "TokenType")
	require.Equal(t, want.Seed, got.Seed, "Seed")
	require.True(t, want.Expiry.Equal(got.Expiry), "Expiry: want %s, got %s", want.Expiry, got.Expiry)
	require.Equal(t, want.Expiry.IsZero(), got.Expiry.IsZero(), "Expiry.IsZero")
}

var groups = []suite.Group[*rig]{
	{Name: "Load", Cases: []suite.Case[*rig]{
		{Name: "MissingIsErrNoToken", Test: func(t *testing.T, r *rig) {
			_, err := r.s[0].Load(t.Context(), r.key("none"))
			require.ErrorIs(t, err, vendorauth.ErrNoToken)
		}},
		{Name: "EveryHandleSeesAnUpdate", Test: func(t *testing.T, r *rig) {
			r.put("k", sample(1))
			for i, s := range r.s {
				got, err := s.Load(t.Context(), r.key("k"))
				require.NoError(t, err, "handle %d", i)
				requireToken(t, sample(1), got)
			}
		}},
		{Name: "FieldsRoundTrip", Test: func(t *testing.T, r *rig) {
			cases := map[string]vendorauth.Token{
				"zero-expiry": {AccessToken: "a", RefreshToken: "r"},
				"no-refresh":  {AccessToken: "a", Expiry: t0},
				"long":        {AccessToken: vendorauth.Secret(strings.Repeat("a", 4096)), RefreshToken: vendorauth.Secret(strings.Repeat("r", 4096)), Expiry: t0},
				"unicode":     {AccessToken: "ä€𝄞\x00x", RefreshToken: "'\"; DROP TABLE x;--", TokenType: "bearer", Seed: "s", Expiry: t0.In(time.FixedZone("X", 3600))},
				"far":         {AccessToken: "a", Expiry: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
			}
			for name, tok := range cases {
				r.put(name, tok)
				got, err := r.s[1].Load(t.Context(), r.key(name))
				require.NoError(t, err, name)
				requireToken(t, tok, got)
			}
		}},
		{Name: "LongKey", Test: func(t *testing.T, r *rig) {
			key := strings.Repeat("k/é", 512/4)
			r.put(key, sample(2))
			got, err := r.s[2].Load(t.Context(), r.key(key))
			require.NoError(t, err)
			requireToken(t, sample(2), got)
		}},
	}},
	{Name: "Update", Cases: []suite.Case[*rig]{
		{Name: "FirstSeesNothing", Test: func(t *testing.T, r *rig) {
			calls := 0
			_, err := r.s[0].Update(t.Context(), r.key("k"), func(cur vendorauth.Token, found bool) (vendorauth.Token, error) {
				calls++
				require.False(t, found)
				require.Equal(t, vendorauth.Token{}, cur)
				return sample(1), nil
			})
			require.NoError(t, err)
			require.Equal(t, 1, calls, "fn is called once")
		}},
		{Name: "SeesTheStoredToken", Test: func(t *testing.T, r *rig) {
			r.put("k", sample(1))
			got, err := r.s[1].Update(t.Context(), r.key("k"), func(cur vendorauth.Token, found bool) (vendorauth.Token, error) {
				require.True(t, found)
				requireToken(t, sample(1), cur)
				return sample(2), nil
			})
			require.NoError(t, err)
			requireToken(t, sample(2), got)
			got, err = r.s[2].Load(t.Context(), r.key("k"))
			require.NoError(t, err)
			requireToken(t, sample(2), got)
		}},
		{Name: "FailureStoresNothing", Test: func(t *testing.T, r *rig) {
			boom := errors.New("refresh refused")
			r.put("k", sample(1))
			_, err := r.s[0].Update(t.Context(), r.key("k"), func(vendorauth.Token, bool) (vendorauth.Token, error) { return sample(2), boom })
			require.ErrorIs(t, err, boom)
			got, err := r.s[1].Load(t.Context(), r.key("k"))
			require.NoError(t, err)
			requireToken(t, sample(1), got)

			_, err = r.s[0].Update(t.Context(), r.key("new"), func(vendorauth.Token, bool) (vendorauth.Token, error) { return sample(3), boom })
			require.ErrorIs(t, err, boom)
			_, err = r.s[1].Load(t.Context(), r.key("new"))
			require.ErrorIs(t, err, vendorauth.ErrNoToken, "a failed first Update stores nothing")
		}},
		{Name: "ExcludesOtherUpdatesOfTheKey", Test: func(t *testing.T, r *rig) {
			const workers, each = 6, 5
			var inside atomic.Int32
			var wg sync.WaitGroup
			for w := range workers {
				s := r.s[w%len(r.s)]
				wg.Go(func() {
					for range each {
						_, err := s.Update(t.Context(), r.key("k"), func(cur vendorauth.Token, _ bool) (vendorauth.Token, error) {
							if n := inside.Add(1); n != 1 {
								t.Errorf("%d Updates of one key ran at once", n)
							}
							defer inside.Add(-1)
							n, _ := strconv.Atoi(cur.TokenType)
							time.Sleep(time.Millisecond) // widen the window a broken lock would leave
							return vendorauth.Token{AccessToken: "a", TokenType: strconv.Itoa(n + 1)}, nil
						})
						if err != nil {
							t.Errorf("Update: %v", err)
						}
					}
				})
			}
			wg.Wait()
			got, err := r.s[0].Load(t.Context(), r.key("k"))
			require.NoError(t, err)
			require.Equal(t, strconv.Itoa(workers*each), got.TokenType, "every increment is kept")
		}},
		{Name: "OtherKeysDoNotWait", Test: func(t *testing.T, r *rig) {
			entered, release := make(chan struct{}), make(chan struct{})
			done := make(chan error, 1)
			go func() {
				_, err := r.s[0].Update(t.Context(), r.key("held"), func(vendorauth.Token, bool) (vendorauth.Token, error) {
					close(entered)
					<-release
					return sample(1), nil
				})
				done <- err
			}()
			<-entered
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err := r.s[1].Update(ctx, r.key("free"), func(vendorauth.Token, bool) (vendorauth.Token, error) { return sample(2), nil })
			close(release)
			require.NoError(t, err, "an Update of another key waited for the held one")
			require.NoError(t, <-done)
		}},
		{Name: "ContextEndsTheWait", Test: func(t *testing.T, r *rig) {
			entered, release := make(chan struct{}), make(chan struct{})
			done := make(chan error, 1)
			go func() {
				_, err := r.s[0].Update(t.Context(), r.key("k"), func(vendorauth.Token, bool) (vendorauth.Token, error) {
					close(entered)
					<-release
					return sample(1), nil
				})
				done <- err
			}()
			<-entered
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			called := false
			_, err := r.s[1].Update(ctx, r.key("k"), func(vendorauth.Token, bool) (vendorauth.Token, error) {
				called = true
				return sample(2), nil
			})
			close(release)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.False(t, called, "fn ran without the lock")
			require.NoError(t, <-done)
			got, err := r.s[2].Load(t.Context(), r.key("k"))
			require.NoError(t, err)
			requireToken(t, sample(1), got)
		}},
		{Name: "LockIsFreedAfterFailure", Test: func(t *testing.T, r *rig) {
			_, err := r.s[0].Update(t.Context(), r.key("k"), func(vendorauth.Token, bool) (vendorauth.Token, error) { return vendorauth.Token{}, errors.New("no") })
			require.Error(t, err)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err = r.s[1].Update(ctx, r.key("k"), func(vendorauth.Token, bool) (vendorauth.Token, error) { return sample(1), nil })
			require.NoError(t, err, "a failed Update kept the lock")
		}},
	}},
	{Name: "Delete", Cases: []suite.Case[*rig]{
		{Name: "RemovesTheToken", Test: func(t *testing.T, r *rig) {
			r.put("k", sample(1))
			require.NoError(t, r.s[1].Delete(t.Context(), r.key("k")))
			_, err := r.s[2].Load(t.Context(), r.key("k"))
			require.ErrorIs(t, err, vendorauth.ErrNoToken)
			_, err = r.s[0].Update(t.Context(), r.key("k"), func(_ vendorauth.Token, found bool) (vendorauth.Token, error) {
				require.False(t, found, "Update after Delete found a token")
				return sample(2), nil
			})
			require.NoError(t, err)
		}},
		{Name: "MissingIsNotAnError", Test: func(t *testing.T, r *rig) {
			require.NoError(t, r.s[0].Delete(t.Context(), r.key("none")))
		}},
		{Name: "LeavesOtherKeys", Test: func(t *testing.T, r *rig) {
			r.put("a", sample(1))
			r.put("b", sample(2))
			require.NoError(t, r.s[0].Delete(t.Context(), r.key("a")))
			got, err := r.s[1].Load(t.Context(), r.key("b"))
			require.NoError(t, err)
			requireToken(t, sample(2), got)
		}},
	}},
}
