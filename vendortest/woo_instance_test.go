package vendortest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/vendortest"
)

func TestWooPollingBodyParses(t *testing.T) {
	for name, tt := range map[string]struct {
		in       vendortest.WooInstance
		id, name string
		every    time.Duration
		signed   bool
	}{
		"defaults":  {vendortest.WooInstance{StoreURL: "https://shop.example.com", Key: "ck", Secret: "cs", CallbackURL: "https://app.example.com/cb"}, "", "shop", time.Minute, false},
		"every set": {vendortest.WooInstance{ID: "7", Name: "mine", StoreURL: "https://shop.example.com", Key: "ck", Secret: "cs", CallbackURL: "https://app.example.com/cb", SignatureKey: "k", RefreshMinutes: 5}, "7", "mine", 5 * time.Minute, true},
	} {
		inst, err := element.Parse(vendortest.WooPollingBody(tt.in))
		require.NoError(t, err, name)
		ev := inst.Configuration.Events
		require.Equal(t, tt.id, inst.ID, name)
		require.Equal(t, tt.name, inst.Name, name)
		require.True(t, ev.Enabled, name)
		require.Equal(t, "polling", ev.VendorType, name)
		require.Equal(t, tt.every, ev.RefreshInterval, name)
		require.Equal(t, tt.signed, len(ev.SignatureKey) > 0, name)
		require.Equal(t, "id", ev.Resources["customers"].IDField, name)
		got, _ := inst.Configuration.Get("oauth.api.secret")
		require.Equal(t, "cs", got, name)
	}
}
