package riverstore_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/riverstore"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendorauth/tokentest"
)

func TestTokenStore(t *testing.T) {
	t.Parallel()
	// Every case uses keys of its own, so they share the schema and the
	// pools; opening them per case would take some 50 pools.
	var (
		once   sync.Once
		stores []vendorauth.TokenStore
	)
	tokentest.Run(t, func(_ *testing.T, n int) []vendorauth.TokenStore {
		once.Do(func() { stores = replicaStores(t, riverstore.NewTokenStore, 6, n) })
		return stores[:n]
	})
}

// rotatingVendor is a token endpoint that rotates the refresh token on
// every refresh and refuses one used twice, as Concur does.
type rotatingVendor struct {
	t      *testing.T
	mu     sync.Mutex
	used   map[string]bool
	issued int
}

func (v *rotatingVendor) refresh(rt vendorauth.Secret) (vendorauth.Token, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.used[string(rt)] {
		v.t.Errorf("refresh token %q used twice", string(rt))
		return vendorauth.Token{}, errors.New("invalid_grant")
	}
	v.used[string(rt)] = true
	v.issued++
	return vendorauth.Token{
		AccessToken:  vendorauth.Secret("at-" + strconv.Itoa(v.issued)),
		RefreshToken: vendorauth.Secret("rt-" + strconv.Itoa(v.issued)),
		TokenType:    "Bearer",
		Expiry:       time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC).Add(time.Duration(v.issued) * time.Hour),
	}, nil
}

// TestTokenRefreshAcrossReplicas runs three replicas, each with a pool of
// its own and several workers, refreshing one instance's token over and
// over: the lock is PostgreSQL's, so no refresh token reaches the vendor
// twice and every rotation is kept.
func TestTokenRefreshAcrossReplicas(t *testing.T) {
	t.Parallel()
	const replicas, workers, rounds = 3, 4, 8
	stores := replicaStores(t, riverstore.NewTokenStore, 6, replicas)
	v := &rotatingVendor{t: t, used: map[string]bool{}}
	const key = "concur/inst-1"
	_, err := stores[0].Update(t.Context(), key, func(vendorauth.Token, bool) (vendorauth.Token, error) {
		return vendorauth.Token{RefreshToken: "rt-0"}, nil
	})
	require.NoError(t, err)

	var wg sync.WaitGroup
	for r, s := range stores {
		for w := range workers {
			wg.Go(func() {
				for i := range rounds {
					_, err := s.Update(t.Context(), key, func(cur vendorauth.Token, found bool) (vendorauth.Token, error) {
						if !found {
							return vendorauth.Token{}, errors.New("the token is gone")
						}
						time.Sleep(time.Millisecond) // the vendor takes a while: widen the window a broken lock leaves
						return v.refresh(cur.RefreshToken)
					})
					if err != nil {
						t.Errorf("replica %d worker %d round %d: %v", r, w, i, err)
					}
				}
			})
		}
	}
	wg.Wait()
	got, err := stores[2].Load(t.Context(), key)
	require.NoError(t, err)
	total := replicas * workers * rounds
	require.Equal(t, total, v.issued, "every refresh reached the vendor once")
	require.Equal(t, "rt-"+strconv.Itoa(total), string(got.RefreshToken), "the last rotation is stored")
}

func TestTokenStoreRow(t *testing.T) {
	t.Parallel()
	pool, schema := setup(t, 4)
	s, err := riverstore.NewTokenStore(pool, riverstore.StoreConfig{Schema: schema})
	require.NoError(t, err)
	exp := time.Date(2026, 12, 7, 13, 0, 0, 123456789, time.UTC)
	_, err = s.Update(t.Context(), "inst-1", func(vendorauth.Token, bool) (vendorauth.Token, error) {
		return vendorauth.Token{AccessToken: "access-7f3a", RefreshToken: "refresh-9c1e", Expiry: exp}, nil
	})
	require.NoError(t, err)

	var refresh []byte
	var expiry time.Time
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT refresh_token, expiry FROM elementevents_token WHERE key = 'inst-1'::bytea").Scan(&refresh, &expiry))
	require.Equal(t, "refresh-9c1e", string(refresh), "the secret is stored as its value, not redacted")
	require.True(t, exp.Truncate(time.Microsecond).Equal(expiry), "microseconds kept: %v", expiry)

	got, err := s.Load(t.Context(), "inst-1")
	require.NoError(t, err)
	require.True(t, exp.Truncate(time.Microsecond).Equal(got.Expiry))
	require.Equal(t, time.UTC, got.Expiry.Location())

	_, err = riverstore.NewTokenStore((*pgxpool.Pool)(nil), riverstore.StoreConfig{})
	require.ErrorIs(t, err, riverstore.ErrConfig)

	// Errors name the key and never a secret.
	_, err = pool.Exec(t.Context(), "DROP TABLE elementevents_token")
	require.NoError(t, err)
	_, err = s.Load(t.Context(), "inst-1")
	require.ErrorContains(t, err, `token "inst-1"`)
	require.NotContains(t, fmt.Sprintf("%v %+v", err, err), "refresh-9c1e")
}
