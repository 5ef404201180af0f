package javatime

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoadLocation(t *testing.T) {
	t.Parallel()
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		wantName string // the location's String
		wantOff  int    // seconds east of UTC in July 2026
	}{
		{"", "UTC", 0},
		{"UTC", "UTC", 0},
		{"utc", "UTC", 0},
		{"UT", "UTC", 0},
		{"Z", "UTC", 0},
		{"GMT", "GMT", 0},
		{"gmt", "GMT", 0},
		{"GMT+05:30", "GMT+05:30", 5*3600 + 1800},
		{"GMT-8", "GMT-08:00", -8 * 3600},
		{"GMT+0", "GMT", 0},
		{"UTC+01:00", "GMT+01:00", 3600},
		{"UT-0330", "GMT-03:30", -(3*3600 + 1800)},
		{"+0530", "GMT+05:30", 5*3600 + 1800},
		{"-07:00", "GMT-07:00", -7 * 3600},
		{"+18:00", "GMT+18:00", 18 * 3600},
		{"PST", "America/Los_Angeles", -7 * 3600},
		{"pst", "America/Los_Angeles", -7 * 3600},
		{"EST", "EST", -5 * 3600},
		{"MST", "MST", -7 * 3600},
		{"HST", "HST", -10 * 3600},
		{"CST", "America/Chicago", -5 * 3600},
		{"IST", "Asia/Kolkata", 5*3600 + 1800},
		{"EST5EDT", "EST5EDT", -4 * 3600},
		{"America/New_York", "America/New_York", -4 * 3600},
		{"Etc/GMT+5", "Etc/GMT+5", -5 * 3600}, // POSIX sign, as IANA spells it
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc, err := LoadLocation(tt.name)
			require.NoError(t, err)
			require.Equal(t, tt.wantName, loc.String())
			_, off := summer.In(loc).Zone()
			require.Equal(t, tt.wantOff, off)
		})
	}
}

func TestLoadLocationJavaShortIDs(t *testing.T) {
	t.Parallel()
	for id := range javaShortIDs {
		loc, err := LoadLocation(id)
		require.NoError(t, err, id)
		require.NotNil(t, loc, id)
	}
}

func TestLoadLocationErrors(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"Mars/Olympus_Mons", "GMT+25", "+19:00", "GMT+", "GMT+5:3", "+", "-0760",
		"Local", "../etc/passwd", "/etc/localtime", "GMT+05:30x", "\xff",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			loc, err := LoadLocation(name)
			require.ErrorIs(t, err, ErrZone)
			require.ErrorContains(t, err, strconv.Quote(name))
			require.Nil(t, loc)
		})
	}
}

func TestLoadLocationCaches(t *testing.T) {
	t.Parallel()
	a, err := LoadLocation("Europe/Paris")
	require.NoError(t, err)
	b, err := LoadLocation("Europe/Paris")
	require.NoError(t, err)
	require.Same(t, a, b)

	c, err := LoadLocation("GMT+05:30")
	require.NoError(t, err)
	d, err := LoadLocation("+05:30")
	require.NoError(t, err)
	require.Same(t, c, d, "one zone per offset")
}
