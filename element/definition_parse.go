package element

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// ParseDefinition reads a [Definition] from JSON, validates it (see
// [Definition.Validate]) and fills its defaults.
//
// Reading is strict: a field the Definition does not have, including one
// that differs from a known field only in case ("baseURL"), is a problem
// naming its path and byte offset, reported in the [*DefinitionError]
// together with the validation problems, so that a typo shows up at once
// with the required field it failed to set. Malformed JSON, or a value of
// the wrong type, is an error wrapping [ErrSyntax] that gives the byte
// offset (and, for a wrong type, the field path).
func ParseDefinition(data []byte) (*Definition, error) {
	// Resources are decoded one by one below, so that a problem in one,
	// reported by Resource's own decoding, does not hide the others.
	type plain Definition
	var d Definition
	var aux struct {
		*plain
		Resources map[string]json.RawMessage `json:"resources"`
	}
	aux.plain = (*plain)(&d)
	if err := json.Unmarshal(data, &aux); err != nil {
		return nil, definitionSyntaxError(err)
	}
	var ps defProblems
	if err := checkFields(data, reflect.TypeFor[Definition](), &ps); err != nil {
		return nil, definitionSyntaxError(err)
	}
	if aux.Resources != nil {
		d.Resources = make(map[string]Resource, len(aux.Resources))
	}
	for name, raw := range aux.Resources {
		var r Resource
		if err := json.Unmarshal(raw, &r); err != nil {
			ps.resourceProblems(name, err)
		}
		d.Resources[name] = r
	}
	if err := d.Validate(); err != nil {
		var de *DefinitionError
		if !errors.As(err, &de) {
			return nil, err
		}
		ps = append(ps, de.Problems...)
	}
	if len(ps) > 0 {
		sortProblems(ps)
		return nil, &DefinitionError{Key: d.Key, Problems: ps}
	}
	d.setDefaults()
	return &d, nil
}

// definitionSyntaxError wraps a decoding error with ErrSyntax, keeping the
// offset and path the decoder gives.
func definitionSyntaxError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%w in definition at offset %d: %w", ErrSyntax, syntaxOffset(se), err)
	case errors.As(err, &te):
		// The field path starts inside the aux struct's embedded plain.
		field := strings.TrimPrefix(strings.TrimPrefix(te.Field, "plain"), ".")
		if field == "" {
			field = "definition"
		}
		// The decoder's own text names Go types; say it in JSON terms.
		return fmt.Errorf("%w in definition at offset %d: %s: %s where %s expected",
			ErrSyntax, te.Offset, field, te.Value, jsonKind(te.Type))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w in definition: unexpected end of input: %w", ErrSyntax, err)
	}
	return fmt.Errorf("%w in definition: %w", ErrSyntax, err)
}

// jsonKind names the JSON kind of value a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkFields walks the JSON tokens of data alongside type t and records
// every object member that t has no field for. encoding/json's
// DisallowUnknownFields would stop at the first, give no path, and accept
// names that differ in case. data must already be valid JSON.
func checkFields(data []byte, t reflect.Type, ps *defProblems) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := fieldWalker{data: data, dec: dec, ps: ps}
	return w.value(t, "")
}

type fieldWalker struct {
	data []byte
	dec  *json.Decoder
	ps   *defProblems
}

// keyOffset returns the offset of the next object key: the decoder stops
// before the separating comma and spaces.
func (w *fieldWalker) keyOffset() int64 {
	off := w.dec.InputOffset()
	for off < int64(len(w.data)) && strings.IndexByte(", \t\r\n", w.data[off]) >= 0 {
		off++
	}
	return off
}

func (w *fieldWalker) value(t reflect.Type, path string) error {
	dec, ps := w.dec, w.ps
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar: the types were checked by Unmarshal
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// A type that decodes itself decides what it accepts.
	if t != nil && (reflect.PointerTo(t).Implements(jsonUnmarshalerType) ||
		reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		t = nil
	}
	switch delim {
	case '{':
		var fields map[string]reflect.StructField
		if t != nil && t.Kind() == reflect.Struct {
			fields = jsonFields(t)
		}
		seen := map[string]bool{}
		for dec.More() {
			offset := w.keyOffset()
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			name, _ := tok.(string)
			if seen[name] {
				// encoding/json keeps the last; say so rather than guess.
				ps.add(joinPath(path, name), "duplicate field at offset %d", offset)
			}
			seen[name] = true
			var elem reflect.Type
			switch {
			case t == nil:
			case t.Kind() == reflect.Struct:
				f, known := fields[name]
				if !known {
					ps.add(joinPath(path, name), "unknown field at offset %d%s", offset, caseHint(fields, name))
				} else {
					elem = f.Type
				}
			case t.Kind() == reflect.Map:
				elem = t.Elem()
			}
			if err := w.value(elem, joinPath(path, name)); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := w.value(elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// jsonFields returns t's fields by JSON name, as encoding/json sees them,
// including those of embedded structs.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	fields := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := fields[name]; !dup || len(f.Index) == 1 {
			fields[name] = f
		}
	}
	return fields
}

func caseHint(fields map[string]reflect.StructField, name string) string {
	for known := range fields {
		if strings.EqualFold(known, name) {
			return fmt.Sprintf(", did you mean %q?", known)
		}
	}
	return ""
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// resourceProblems records the error from decoding resource name. Resource
// names its problems "resource.<field>"; they are renamed to the path in the
// definition, "resources.<name>.<field>", keeping the errors they wrap.
func (p *defProblems) resourceProblems(name string, err error) {
	prefix := "resources." + name
	var subs []error
	if m, ok := err.(interface{ Unwrap() []error }); ok && errors.Is(err, ErrInvalid) {
		subs = m.Unwrap()
	}
	if len(subs) == 0 {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			p.add(joinPath(prefix, te.Field), "%s where %s expected", te.Value, jsonKind(te.Type))
			return
		}
		p.wrap(prefix, err)
		return
	}
	for _, sub := range subs {
		text, found := strings.CutPrefix(sub.Error(), "resource")
		if !found {
			p.wrap(prefix, sub)
			continue
		}
		*p = append(*p, &renamedError{text: prefix + text, err: sub})
	}
}

// renamedError is an error with new text that still wraps the original.
type renamedError struct {
	text string
	err  error
}

func (e *renamedError) Error() string { return e.text }
func (e *renamedError) Unwrap() error { return e.err }
