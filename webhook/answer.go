package webhook

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/a12b7632/elementevents/internal/quote"
)

// refuse answers an error status, logging the cause at debug level: refusals
// are the vendor's or an attacker's doing, so they must not flood the log.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, code int, reason string, err error) {
	if h.log.Enabled(r.Context(), slog.LevelDebug) {
		h.log.DebugContext(r.Context(), "webhook: request refused", "status", code, "reason", reason, "path", quote.Cut(r.URL.Path), "error", err)
	}
	h.answer(w, code, reason)
}

// answer writes an error status with a short plain-text reason. Reasons
// never hold secrets or echo request headers.
func (h *Handler) answer(w http.ResponseWriter, code int, reason string) {
	http.Error(w, reason, code)
}

// The 200 answers, each with its newline, so that it is written in one
// piece.
const (
	okText        = "ok\n"
	duplicateText = "duplicate delivery\n"
)

// answerOK writes a 200 with text, one of the constants above.
func answerOK(w http.ResponseWriter, text string) {
	w.Header()["Content-Type"] = textPlain[:1:1]
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, text)
}

// textPlain is the Content-Type of the handler's answers, built once and
// shared: header values are replaced or appended to (at capacity, so
// copied), never written into.
var textPlain = []string{"text/plain; charset=utf-8"}

// firstHeader returns the first value of a header given in canonical form,
// without the allocation of http.Header.Get's canonicalisation.
func firstHeader(h http.Header, canonical string) string {
	if canonical == "" {
		return ""
	}
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}
