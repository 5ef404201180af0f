package receiver

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/a12b7632/elementevents/signature"
)

// refuse logs why a request is refused and answers it.
func (rc *Receiver) refuse(w http.ResponseWriter, r *http.Request, status int, msg string, err error) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	rc.log.Log(r.Context(), level, "receiver: notification refused", "status", status, "err", err)
	answer(w, status, msg)
}

// signatureAnswer is the answer to a request whose signature fails: which
// check failed, without the detail (such as the clock skew).
func signatureAnswer(err error) string {
	switch {
	case errors.Is(err, signature.ErrMissingHeader):
		return "missing signature headers"
	case errors.Is(err, signature.ErrMalformedHeader):
		return "malformed signature header"
	case errors.Is(err, signature.ErrTooOld), errors.Is(err, signature.ErrTooNew):
		return "signature timestamp outside the tolerance"
	case errors.Is(err, signature.ErrNoMatch):
		return "signature does not match"
	}
	return "signature does not verify"
}

// answer writes a one-line plain text body.
func answer(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
}

// statusWriter records the status the next handler answers with.
type statusWriter struct {
	http.ResponseWriter
	status int // 0 until a final status is written
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 && code >= 200 { // 1xx are not the final answer
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Flush lets next stream; flushing commits a 200 if nothing was written.
func (s *statusWriter) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
