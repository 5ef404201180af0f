package javatime

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestZoneNamesTSV checks that every line of the embedded JDK names was
// read, and that each set of names reads in a zone Go knows.
func TestZoneNamesTSV(t *testing.T) {
	t.Parallel()
	lines := 0
	for line := range strings.Lines(zoneNamesTSV) {
		if line != "\n" && line[0] != '#' {
			lines++
		}
	}
	x := zoneNames()
	require.Len(t, x.sets, lines, "every line has five fields")
	require.Greater(t, lines, 100)
	for _, set := range x.sets {
		loc, _ := set.location()
		require.NotNil(t, loc, "no zone of %v loads", set.ids)
	}
	require.Equal(t, "Coordinated Universal Time", x.sets[x.utc].names[longStandard])

	// Two sets name only SystemV zones, which tzdata no longer has.
	_, off := time.Unix(0, 0).In(systemVZone("SystemV/PST8")).Zone()
	require.Equal(t, -8*3600, off)
	require.Nil(t, systemVZone("SystemV/PST8PDT"))
	require.Nil(t, systemVZone("America/Los_Angeles"))
}

func TestMatchZoneName(t *testing.T) {
	t.Parallel()
	la, err := LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	tests := []struct {
		name, s  string
		own      *time.Location
		wantID   string // the first zone of the set matched
		wantSlot int
		wantEnd  int
	}{
		{"short daylight", "PDT", nil, "America/Los_Angeles", shortDaylight, 3},
		{"long standard", "Pacific Standard Time!", nil, "America/Los_Angeles", longStandard, 21},
		{"any case", "pacific daylight time", nil, "America/Los_Angeles", longDaylight, 21},
		{"the JDK's first IST", "IST", nil, "Asia/Jerusalem", shortStandard, 3},
		{"the own zone's IST", "IST", time.FixedZone("Europe/Dublin", 0), "Europe/Dublin", shortDaylight, 3},
		{"the JDK's first CST", "CST", nil, "America/Chicago", shortStandard, 3},
		{"own zone first", "CST", mustLoad(t, "Asia/Shanghai"), "Asia/Shanghai", shortStandard, 3},
		{"UTC", "Coordinated Universal Time", la, "UTC", longStandard, 26},
		{"Lord Howe", "LHDT", nil, "Australia/Lord_Howe", shortDaylight, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			own := -1
			if tt.own != nil {
				own = namesOf(tt.own)
			}
			ref, end, ok := matchZoneName(tt.s, 0, own)
			require.True(t, ok)
			require.Equal(t, tt.wantID, zoneNames().sets[ref.set].ids[0])
			require.Equal(t, tt.wantSlot, ref.slot)
			require.Equal(t, tt.wantEnd, end)
		})
	}
	_, _, ok := matchZoneName("Mars Time", 0, -1)
	require.False(t, ok)
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// TestJavaRules checks which periods count as daylight saving time where
// Go's tzdata marks negative daylight saving time (Ireland's winter).
func TestJavaRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		zone         string
		at           time.Time
		wantDaylight bool
		wantStd      int
	}{
		{"America/Los_Angeles", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), true, -8 * 3600},
		{"America/Los_Angeles", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false, -8 * 3600},
		{"Europe/Dublin", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), true, 0},
		{"Europe/Dublin", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false, 0},
		{"Australia/Lord_Howe", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true, 10*3600 + 1800},
		{"Asia/Kolkata", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false, 5*3600 + 1800},
		{"UTC", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.at.Format(time.DateOnly), func(t *testing.T) {
			t.Parallel()
			daylight, std := javaRulesAt(mustLoad(t, tt.zone), tt.at.Unix())
			require.Equal(t, tt.wantDaylight, daylight)
			require.Equal(t, tt.wantStd, std)
		})
	}
}

func TestDSTSavings(t *testing.T) {
	t.Parallel()
	for zone, want := range map[string]int{
		"America/Los_Angeles": 3600, "Australia/Lord_Howe": 1800, "Europe/Dublin": 3600,
		"America/Sao_Paulo": 0, "Asia/Kolkata": 0, "UTC": 0,
	} {
		require.Equal(t, want, dstSavings(mustLoad(t, zone)), zone)
	}
}
