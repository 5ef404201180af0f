package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is what every view is rendered with.
type page struct {
	Title  string
	Tenant string // empty on the sign-in page
	Error  string // a message for the whole page
	Nav    string // the section the page belongs to: "instances" or "events"
	Data   any    // the view's own
}

// views are the templates, parsed once at New: each page with the layout.
type views struct {
	pages map[string]*template.Template
}

// parseViews parses every page with the layout, links made under prefix.
func parseViews(prefix string) (*views, error) {
	funcs := template.FuncMap{
		// path makes a console link: path "/instances" "id" -> /console/instances/id.
		"path": func(parts ...string) string {
			out := prefix
			for i, p := range parts {
				if i == 0 {
					out += p
					continue
				}
				out += "/" + url.PathEscape(p)
			}
			return out
		},
		"query": func(pairs ...string) string { // query "status" "FAILED" -> ?status=FAILED
			v := url.Values{}
			for i := 0; i+1 < len(pairs); i += 2 {
				if pairs[i+1] != "" {
					v.Set(pairs[i], pairs[i+1])
				}
			}
			if len(v) == 0 {
				return ""
			}
			return "?" + v.Encode()
		},
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
		"static": func(name string) string { return prefix + "/static/" + name },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, name := range names {
		base := name[len("templates/") : len(name)-len(".html")]
		if base == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		v.pages[base] = t
	}
	return v, nil
}

// render writes the page name with status; a template that fails is
// logged and answered 500 with nothing of it sent.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := h.views.pages[name]
	if !ok {
		h.fail(w, r, fmt.Errorf("no view %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		h.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail logs err and answers 500 with a page that says nothing of it.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.cfg.Logger.Error("console: page failed", "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte("Something went wrong; it was logged.\n"))
}

// staticFiles serves the stylesheet and the script.
func staticFiles() http.Handler {
	sub, _ := fs.Sub(staticFS, "static") // the embed holds it
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}
