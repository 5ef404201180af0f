package casefile

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

// Header is one line of a headers section.
type Header struct {
	Name, Value string
}

// Headers reads the case's section name as header lines "Name: value",
// in order; blank lines are skipped. A name may come twice. The value is
// what follows the colon, less the spaces right after it.
func (c *Case) Headers(name string) ([]Header, error) {
	var out []Header
	for i, line := range strings.Split(string(c.Files[name]), "\n") {
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || k == "" || strings.TrimSpace(k) != k {
			return nil, fmt.Errorf("section %s, line %d: want \"Name: value\", got %.80q", name, i+1, line)
		}
		out = append(out, Header{Name: k, Value: strings.TrimLeft(v, " \t")})
	}
	return out, nil
}

// SetHeaders sets h from the case's "headers" section, replacing what was
// there (so that a case can replace a signed header); a name given twice
// gets both values.
func (c *Case) SetHeaders(t testing.TB, h http.Header) {
	t.Helper()
	hs, err := c.Headers("headers")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, hd := range hs {
		key := http.CanonicalHeaderKey(hd.Name)
		if set[key] {
			h.Add(key, hd.Value)
			continue
		}
		set[key] = true
		h.Set(key, hd.Value)
	}
}

// Request builds the case's request: the "method" setting (default POST)
// to the "path" setting (default path), with the "body" section, or no
// body when the case has none.
func (c *Case) Request(t testing.TB, path string) *http.Request {
	t.Helper()
	body, ok := c.File("body")
	req, err := http.NewRequestWithContext(t.Context(), c.Setting("method", http.MethodPost), c.Setting("path", path), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	return req
}

// SignStandard signs body in the Standard Webhooks scheme with key, under
// id and timestamp as written, so that hostile values are signed too.
func SignStandard(h http.Header, key []byte, id, timestamp string, body []byte) {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + timestamp + "."))
	m.Write(body)
	h.Set("Webhook-Id", id)
	h.Set("Webhook-Timestamp", timestamp)
	h.Set("Webhook-Signature", "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

// Serve answers req with h as the case's "via" setting says: "direct"
// (the default) calls ServeHTTP with an httptest.ResponseRecorder;
// "server" goes over loopback through an httptest.Server with a known
// Content-Length, and "chunked" the same with a chunked body. A panic in h
// panics here, even when the server would have swallowed it.
func (c *Case) Serve(t *testing.T, h http.Handler, req *http.Request) Outcome {
	t.Helper()
	via := c.Setting("via", "direct")
	if via == "direct" {
		req.RequestURI = req.URL.RequestURI()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return Outcome{HTTP: true, Status: w.Code, Body: w.Body.String()}
	}
	var (
		mu       sync.Mutex
		panicked string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				mu.Lock()
				panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
				mu.Unlock()
				http.Error(w, "panic", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	req.URL.Scheme, req.URL.Host, req.Host = "http", strings.TrimPrefix(srv.URL, "http://"), ""
	switch via {
	case "server":
	case "chunked":
		body, _ := c.File("body")
		req.Body, req.ContentLength = io.NopCloser(struct{ io.Reader }{bytes.NewReader(body)}), -1
	default:
		t.Fatalf("via: %q: want direct, server or chunked", via)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("the request must reach the server: %v", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if panicked != "" {
		panic(panicked)
	}
	return Outcome{HTTP: true, Status: resp.StatusCode, Body: string(answer)}
}
