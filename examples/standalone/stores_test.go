package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/notify/notifytest"
)

// TestOpenStores checks that -state keeps the stores in a file that
// survives a restart, and that no -state keeps them in memory.
func TestOpenStores(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	mem, closeMem, err := openStores("", logger)
	require.NoError(t, err)
	require.False(t, mem.Durable)
	require.NoError(t, closeMem())

	dir := filepath.Join(t.TempDir(), "state")
	st, closeStores, err := openStores(dir, logger)
	require.NoError(t, err)
	require.True(t, st.Durable)
	require.FileExists(t, filepath.Join(dir, stateFile))
	require.NoError(t, st.Outbox.Enqueue(t.Context(), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), notifytest.NewDelivery("n1", "https://cb.example/", "")))
	require.NoError(t, closeStores())

	st, closeStores, err = openStores(dir, logger)
	require.NoError(t, err)
	defer func() { require.NoError(t, closeStores()) }()
	held, err := st.Outbox.List(t.Context(), notify.Filter{})
	require.NoError(t, err)
	require.Len(t, held, 1, "the notification outlived the restart")
	require.Equal(t, "n1", held[0].ID)

	notDir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notDir, []byte("x"), 0o600))
	_, _, err = openStores(notDir, logger)
	require.ErrorContains(t, err, "-state "+notDir)
}
