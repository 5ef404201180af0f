package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/internal/logbuf"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/receiver/receivertest"
	"github.com/a12b7632/elementevents/signature"
)

var testKey = []byte("the event.notification.signature.key")

func notification(id string) events.Notification {
	return events.Notification{Message: events.Message{
		EventID: id, ElementKey: "woocommercerest", InstanceID: "102", InstanceName: "API_WEBHOOK",
		Events: []events.WireEvent{{
			EventType: events.Updated, ObjectType: "customers", ObjectID: "3",
			ElementKey: "woocommercerest", Date: time.Date(2026, 11, 24, 12, 16, 0, 0, time.UTC),
		}},
	}}
}

// TestHandler checks that the handler the program builds prints a
// notification signed with its key, once, and refuses the others.
func TestHandler(t *testing.T) {
	var out bytes.Buffer
	cfg := config{path: "/element-events", keys: []signature.Key{[]byte("old key"), testKey}}
	h, err := newHandler(cfg, &out, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	const line = "2026-11-24T12:16:00Z  API_WEBHOOK 102  UPDATED  customers 3  (notification evt-1)\n"

	tests := []struct {
		name       string
		req        func() *http.Request
		wantStatus int
		wantOut    string
	}{
		{"signed with the second key", func() *http.Request {
			return receivertest.NewRequest(t, "/element-events", testKey, notification("evt-1"), time.Now())
		}, http.StatusOK, line},
		{"the same notification again", func() *http.Request {
			return receivertest.NewRequest(t, "/element-events", testKey, notification("evt-1"), time.Now())
		}, http.StatusOK, ""},
		{"signed with another key", func() *http.Request {
			return receivertest.NewRequest(t, "/element-events", []byte("not ours"), notification("evt-2"), time.Now())
		}, http.StatusUnauthorized, ""},
		{"signed an hour ago", func() *http.Request {
			return receivertest.NewRequest(t, "/element-events", testKey, notification("evt-3"), time.Now().Add(-time.Hour))
		}, http.StatusUnauthorized, ""},
		{"body changed after signing", func() *http.Request {
			r := receivertest.NewRequest(t, "/element-events", testKey, notification("evt-4"), time.Now())
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(body, []byte(`"3"`), []byte(`"4"`), 1)))
			return r
		}, http.StatusUnauthorized, ""},
		{"unsigned", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/element-events", strings.NewReader(`{"message":{"eventId":"evt-5"}}`))
		}, http.StatusUnauthorized, ""},
		{"another path", func() *http.Request {
			return receivertest.NewRequest(t, "/other", testKey, notification("evt-6"), time.Now())
		}, http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out.Reset()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req())
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			require.Equal(t, tt.wantOut, out.String())
		})
	}
}

// A notification signed only in the Cloud Elements scheme is refused
// unless -allow-elements-scheme is given.
func TestHandlerElementsScheme(t *testing.T) {
	for _, allow := range []bool{false, true} {
		var out bytes.Buffer
		cfg := config{path: "/", keys: []signature.Key{testKey}, allowElements: allow}
		h, err := newHandler(cfg, &out, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		r := receivertest.NewRequest(t, "/", testKey, notification("evt-legacy"), time.Now())
		for _, k := range []string{signature.HeaderWebhookID, signature.HeaderWebhookTimestamp, signature.HeaderWebhookSignature} {
			r.Header.Del(k)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if allow {
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.Contains(t, out.String(), "evt-legacy")
		} else {
			require.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
			require.Empty(t, out.String())
		}
	}

	cfg, err := parseFlags([]string{"-key", "k"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	require.False(t, cfg.allowElements)
	cfg, err = parseFlags([]string{"-key", "k", "-allow-elements-scheme"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	require.True(t, cfg.allowElements)
}

func TestParseFlags(t *testing.T) {
	whsec := "whsec_" + base64.StdEncoding.EncodeToString([]byte("decoded key"))
	tests := []struct {
		name     string
		args     []string
		env      string
		wantKeys []string
		wantErr  string
	}{
		{name: "one key", args: []string{"-key", "k1"}, wantKeys: []string{"k1"}},
		{name: "repeated and comma list", args: []string{"-key", "k1", "-key", "k2, k3"}, wantKeys: []string{"k1", "k2", "k3"}},
		{name: "whsec form", args: []string{"-key", whsec}, wantKeys: []string{"decoded key"}},
		{name: "from the environment", env: "k1,k2", wantKeys: []string{"k1", "k2"}},
		{name: "flag wins over the environment", args: []string{"-key", "k1"}, env: "k2", wantKeys: []string{"k1"}},
		{name: "no key", wantErr: "no key"},
		{name: "bad whsec, key not echoed", args: []string{"-key", "k1", "-key", "whsec_%%TOPSECRET%%"}, wantErr: "-key: key 2: signature: no usable key"},
		{name: "bad whsec in the environment", env: "whsec_%%TOPSECRET%%", wantErr: keysEnv + ": key 1"},
		{name: "empty entry", args: []string{"-key", "k1,,k2"}, wantErr: "key 2: empty key"},
		{name: "path without slash", args: []string{"-key", "k", "-path", "events"}, wantErr: "must start with /"},
		{name: "stray argument", args: []string{"-key", "k", "extra"}, wantErr: `unexpected argument "extra"`},
		{name: "bad tolerance", args: []string{"-key", "k", "-tolerance", "soon"}, wantErr: "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cfg, err := parseFlags(tt.args, func(string) string { return tt.env }, &stderr)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.NotContains(t, err.Error()+stderr.String(), "TOPSECRET", "a key never appears in an error")
				return
			}
			require.NoError(t, err)
			var keys []string
			for _, k := range cfg.keys {
				keys = append(keys, string(k))
			}
			require.Equal(t, tt.wantKeys, keys)
			require.Equal(t, "127.0.0.1:8080", cfg.listen)
			require.Equal(t, signature.DefaultTolerance, cfg.tolerance)
		})
	}
}

func TestHelp(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseFlags([]string{"-h"}, func(string) string { return "" }, &stderr)
	require.ErrorIs(t, err, flag.ErrHelp)
	for _, want := range []string{"-listen", "-path", "-key", "whsec_", "commas", keysEnv, "-tolerance", "-allow-elements-scheme", "SIGTERM"} {
		require.Contains(t, stderr.String(), want)
	}
}

// TestRun starts the program on a free port, delivers a notification to
// it over HTTP, stops it as a signal would and checks a clean exit.
func TestRun(t *testing.T) {
	var stdout, stderr logbuf.Buffer
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-path", "/element-events", "-key", string(testKey)},
			func(string) string { return "" }, &stdout, &stderr)
	}()

	listening := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/element-events)`)
	var url string
	require.Eventually(t, func() bool {
		m := listening.FindStringSubmatch(stderr.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	}, 5*time.Second, 5*time.Millisecond, "never listened: %s", stderr.String())

	resp, err := http.DefaultClient.Do(receivertest.NewRequest(t, url, testKey, notification("evt-run"), time.Now()))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, stdout.String(), "UPDATED  customers 3  (notification evt-run)")

	stop() // what SIGINT or SIGTERM does
	select {
	case code := <-done:
		require.Equal(t, 0, code, stderr.String())
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	require.Contains(t, stderr.String(), "receiver: stopping")
}

func TestRunBadFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-listen", "127.0.0.1:0"}, func(string) string { return "" }, &stdout, &stderr)
	require.Equal(t, 2, code)
	require.Contains(t, stderr.String(), "no key")
}
