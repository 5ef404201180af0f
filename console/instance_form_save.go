package console

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
)

// maxFormBytes bounds a posted form: a body with every object's poller
// configuration is a few kilobytes.
const maxFormBytes = 1 << 20

// newInstance is GET /instances/new: the element to create an instance
// of, then (?element=key) the form for it.
func (h *Handler) newInstance(w http.ResponseWriter, r *http.Request, tenant string) {
	key := r.URL.Query().Get("element")
	if key == "" {
		h.renderPicker(w, r, tenant, http.StatusOK, "")
		return
	}
	def, ok := element.Default().Lookup(key)
	if !ok {
		h.renderPicker(w, r, tenant, http.StatusNotFound, fmt.Sprintf("There is no element %q.", key))
		return
	}
	v := newFormView(def, body{}, body{}, 0, problems{})
	h.renderForm(w, r, tenant, http.StatusOK, "New "+elementName(def)+" instance", "", v)
}

// renderPicker renders the choice of element.
func (h *Handler) renderPicker(w http.ResponseWriter, r *http.Request, tenant string, status int, msg string) {
	type choice struct{ Key, Name string }
	var choices []choice
	for _, k := range element.Default().Keys() {
		if def, ok := element.Default().Lookup(k); ok {
			choices = append(choices, choice{k, elementName(def)})
		}
	}
	h.render(w, r, status, "instance_form", page{Title: "New instance", Tenant: tenant, Nav: "instances",
		Error: msg, Data: map[string]any{"Pick": choices}})
}

// renderForm renders the instance form.
func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, tenant string, status int, title, id string, v formView) {
	if id == "" {
		v.Action = "/instances"
	} else {
		v.Action = "/instances/" + url.PathEscape(id)
	}
	msg := ""
	if status == http.StatusUnprocessableEntity {
		msg = "Nothing was saved: fix the problems shown by their fields."
	}
	h.render(w, r, status, "instance_form", page{Title: title, Tenant: tenant, Nav: "instances", Error: msg,
		Data: map[string]any{"Form": v, "ID": id}})
}

// createInstance is POST /instances: the form (or its JSON view) to a
// new instance, then its page.
func (h *Handler) createInstance(w http.ResponseWriter, r *http.Request, tenant string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.badForm(w, r, tenant, err)
		return
	}
	def, ok := element.Default().Lookup(r.PostForm.Get("element"))
	if !ok {
		h.renderPicker(w, r, tenant, http.StatusUnprocessableEntity, "Pick an element first.")
		return
	}
	s := submitted(r, def, body{})
	inst, err := h.cfg.Engine.Create(r.Context(), tenant, s.data)
	if err != nil {
		h.saveFailed(w, r, tenant, s, err)
		return
	}
	http.Redirect(w, r, h.cfg.Prefix+"/instances/"+url.PathEscape(inst.ID), http.StatusSeeOther)
}

// editInstance is GET /instances/{id}/edit: the form with the stored
// body, secrets left out.
func (h *Handler) editInstance(w http.ResponseWriter, r *http.Request, tenant string) {
	inst, err := h.cfg.Engine.Get(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		h.instanceError(w, r, tenant, err)
		return
	}
	b := parseBody(inst.Body)
	def := definitionOf(b)
	v := newFormView(def, b, b, inst.Version, problems{})
	h.renderForm(w, r, tenant, http.StatusOK, "Edit "+instanceTitle(b, inst.ID), inst.ID, v)
}

// saveInstance is POST /instances/{id}: the form (or its JSON view) over
// the stored body, at the version the form was opened at.
func (h *Handler) saveInstance(w http.ResponseWriter, r *http.Request, tenant string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.badForm(w, r, tenant, err)
		return
	}
	id := r.PathValue("id")
	inst, err := h.cfg.Engine.Get(r.Context(), tenant, id)
	if err != nil {
		h.instanceError(w, r, tenant, err)
		return
	}
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || version < 1 {
		h.badForm(w, r, tenant, fmt.Errorf("version %q: %w", r.PostForm.Get("version"), errBadVersion))
		return
	}
	stored := parseBody(inst.Body)
	def := definitionOf(stored)
	s := submitted(r, def, stored)
	s.id, s.version = id, version
	if _, err := h.cfg.Engine.Update(r.Context(), tenant, id, version, s.data); err != nil {
		h.saveFailed(w, r, tenant, s, err)
		return
	}
	http.Redirect(w, r, h.cfg.Prefix+"/instances/"+url.PathEscape(id), http.StatusSeeOther)
}

// errBadVersion reports a save without the version its form was opened at.
var errBadVersion = errors.New("no version")

// saveAttempt is one save of the form: what it writes, and what to show
// again if it fails.
type saveAttempt struct {
	id       string // "" for a create
	version  int64  // the version the form was opened at; 0 for a create
	def      *element.Definition
	stored   body   // the stored body; empty for a create
	data     []byte // the body written
	b        body   // data as members, to render the form again
	jsonMode bool   // the JSON view was saved
	text     string // the JSON view's text as posted
}

// submitted returns the save the request asks for: the JSON view's text
// (its "***" secrets kept from stored) when its button was pressed, else
// the fields over stored.
func submitted(r *http.Request, def *element.Definition, stored body) saveAttempt {
	s := saveAttempt{def: def, stored: stored, text: r.PostForm.Get("json")}
	if r.PostForm.Get("mode") == "json" {
		s.jsonMode = true
		s.data = keepSecrets(bytes.ReplaceAll([]byte(s.text), []byte("\r\n"), []byte("\n")), stored)
		s.b = parseBody(s.data)
		return s
	}
	s.b = fromForm(r.PostForm, stored, def)
	s.data = s.b.encode()
	return s
}

// saveFailed answers a refused save: the form again with each problem by
// its field (422), a stale version (409), or a failure to log (500).
func (h *Handler) saveFailed(w http.ResponseWriter, r *http.Request, tenant string, s saveAttempt, err error) {
	id, version, def, b, jsonMode, text := s.id, s.version, s.def, s.b, s.jsonMode, s.text
	title := "New " + elementName(def) + " instance"
	if id != "" {
		title = "Edit " + instanceTitle(b, id)
	}
	if isNotFound(err) {
		h.notFound(w, r, tenant)
		return
	}
	if errors.Is(err, engine.ErrConflict) {
		v := newFormView(def, b, s.stored, version, problems{})
		v.Problems = []string{"This instance was changed since you opened it, and nothing was saved. " +
			"Open it again to edit the stored version."}
		h.renderForm(w, r, tenant, http.StatusConflict, title, id, v)
		return
	}
	ps, syntax, ok := problemsOf(err)
	if !ok && jsonMode && (errors.Is(err, engine.ErrInvalid) || errors.Is(err, engine.ErrExists)) {
		// The body names an id taken, or changes the instance's id: the
		// engine's message says which, and holds no secret.
		ps, ok = problems{"": bodyMessage(err)}, true
	}
	if !ok {
		h.fail(w, r, err)
		return
	}
	if jsonMode {
		if k := b.elementKey(); k != "" {
			if d, ok := element.Default().Lookup(k); ok {
				def = d
			}
		}
		v := newFormView(def, b, s.stored, version, problems{})
		v.JSONOpen = true
		if syntax != nil {
			v.JSON.Value = text // it does not parse: shown as written, to be fixed
			v.JSON.Error = syntaxMessage(syntax)
		} else {
			v.JSON.Error = strings.Join(listProblems(ps), "; ")
		}
		h.renderForm(w, r, tenant, http.StatusUnprocessableEntity, title, id, v)
		return
	}
	if syntax != nil { // the fields always make JSON; a syntax error is ours
		h.fail(w, r, err)
		return
	}
	h.renderForm(w, r, tenant, http.StatusUnprocessableEntity, title, id, newFormView(def, b, s.stored, version, ps))
}

// badForm answers a form that cannot be read.
func (h *Handler) badForm(w http.ResponseWriter, r *http.Request, tenant string, err error) {
	h.cfg.Logger.Info("console: bad form", "path", r.URL.Path, "err", err)
	status := http.StatusBadRequest
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		status = http.StatusRequestEntityTooLarge
	}
	h.render(w, r, status, "error", page{Title: "Bad form", Tenant: tenant,
		Error: "The form could not be read; open it again."})
}

// instanceError answers an engine error about an instance: 404 for a
// missing or foreign one, else 500.
func (h *Handler) instanceError(w http.ResponseWriter, r *http.Request, tenant string, err error) {
	if isNotFound(err) {
		h.notFound(w, r, tenant)
		return
	}
	h.fail(w, r, err)
}

// definitionOf is the definition of the body's element; generic's when
// the element is not registered (its fields are then edited as JSON).
func definitionOf(b body) *element.Definition {
	if def, ok := element.Default().Lookup(b.elementKey()); ok {
		return def
	}
	def, _ := element.Default().Lookup("generic")
	if def == nil {
		def = &element.Definition{Key: b.elementKey()}
	}
	return def
}

// elementName is the element's human name.
func elementName(def *element.Definition) string {
	if def.Name != "" {
		return def.Name
	}
	return def.Key
}

// instanceTitle names an instance: its name, else its id.
func instanceTitle(b body, id string) string {
	if n := b.str("name"); n != "" {
		return n
	}
	return id
}

// bodyMessage says what the engine refused in a body, without the
// package prefixes.
func bodyMessage(err error) string {
	if errors.Is(err, engine.ErrExists) {
		return "id: an instance with this id already exists."
	}
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, engine.ErrInvalid.Error()+": "); ok {
		return rest
	}
	return msg
}
