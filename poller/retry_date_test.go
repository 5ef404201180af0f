package poller

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A Retry-After date is the vendor's: it is read against the vendor's Date
// header, so that a vendor clock off from the local one does not stretch
// or shorten the wait.
func TestRetryAfterReadsTheVendorsDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	httpDate := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		name       string
		retryAfter string
		date       string // the response's Date header; "" for none
		want       time.Duration
		wantOK     bool
	}{
		{"seconds ignore the Date", "30", httpDate(time.Hour), 30 * time.Second, true},
		{"date, vendor clock 10 min ahead", httpDate(10*time.Minute + 30*time.Second), httpDate(10 * time.Minute), 30 * time.Second, true},
		{"date, vendor clock 10 min behind", httpDate(-10*time.Minute + 30*time.Second), httpDate(-10 * time.Minute), 30 * time.Second, true},
		{"date, no Date header: the local clock", httpDate(30 * time.Second), "", 30 * time.Second, true},
		{"date, unreadable Date header: the local clock", httpDate(30 * time.Second), "yesterday", 30 * time.Second, true},
		{"date before the vendor's Date: no wait", httpDate(-time.Second), httpDate(0), 0, true},
		{"no Retry-After", "", httpDate(0), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.retryAfter != "" {
				h.Set("Retry-After", tt.retryAfter)
			}
			if tt.date != "" {
				h.Set("Date", tt.date)
			}
			got, ok := retryAfter(h, now)
			require.Equal(t, tt.wantOK, ok)
			require.Equal(t, tt.want, got)
		})
	}
}
