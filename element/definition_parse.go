package element

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// ParseDefinition reads a [Definition] from JSON, checks it (see
// [Definition.Validate]) and fills its defaults.
//
// Malformed JSON, or a body that is not an object, is a [*SyntaxError]
// with the byte offset, line and column. Otherwise every problem is
// reported at once in one [*ValidationError], each naming its JSON path:
// values of the wrong type, fields the Definition does not have (including
// one that differs from a known field only in case, "baseURL"), and the
// rules of [Definition.Validate], so that a typo shows up at once with
// the required field it failed to set.
func ParseDefinition(data []byte) (*Definition, error) {
	var top json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, newSyntaxError(data, err)
	}
	if kind := kindOf(top); kind != "an object" && kind != "null" {
		offset := int64(bytes.Index(data, top[:1]))
		line, col := lineColumn(data, offset)
		return nil, &SyntaxError{Offset: offset, Line: line, Column: col,
			Err: fmt.Errorf("a definition must be an object, got %s", kind)}
	}
	// found are values that could not be read, which the rules need not
	// report again; dups are fields written twice, whose last value is read.
	var found, dups problemList
	if err := checkFields(data, reflect.TypeFor[Definition](), &found, &dups); err != nil {
		return nil, newSyntaxError(data, err)
	}

	// Resources are decoded one by one below, with the tolerance of
	// instance bodies, so that a problem in one does not hide the others.
	type plain Definition
	var d Definition
	var aux struct {
		*plain
		Resources map[string]json.RawMessage `json:"resources"`
	}
	aux.plain = (*plain)(&d)
	if err := json.Unmarshal(data, &aux); err != nil {
		// checkFields reported the values of the wrong type; anything
		// else is a bug it did not catch.
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, newSyntaxError(data, err)
		}
		if len(found) == 0 {
			found.addf(strings.TrimPrefix(strings.TrimPrefix(te.Field, "plain"), "."), "must be %s, got %s", jsonKind(te.Type), te.Value)
		}
	}
	if aux.Resources != nil {
		d.Resources = make(map[string]Resource, len(aux.Resources))
	}
	for name, raw := range aux.Resources {
		r, ps := decodeResource("resources."+name, raw)
		found = append(found, ps...)
		d.Resources[name] = r
	}
	rules := d.problems().without(found)
	problems := slices.Concat(found, dups, rules)
	if err := problems.err(definitionSubject(d.Key)); err != nil {
		return nil, err
	}
	d.setDefaults()
	return &d, nil
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
// every object member that t has no field for and every value of the
// wrong JSON kind. encoding/json's DisallowUnknownFields and Unmarshal
// would stop at the first, give no path, and accept names that differ in
// case. Members written twice go to dups. data must already be valid JSON.
func checkFields(data []byte, t reflect.Type, ps, dups *problemList) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := fieldWalker{data: data, dec: dec, ps: ps, dups: dups}
	return w.value(t, "")
}

type fieldWalker struct {
	data []byte
	dec  *json.Decoder
	ps   *problemList
	dups *problemList
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
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// A type that decodes itself decides what it accepts.
	if t != nil && (t.Kind() == reflect.Interface ||
		reflect.PointerTo(t).Implements(jsonUnmarshalerType) ||
		reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		t = nil
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		if t != nil {
			if msg := scalarMismatch(t, tok); msg != "" {
				ps.add(path, msg)
			}
		}
		return nil
	}
	switch kind := jsonKind(t); {
	case t == nil:
	case delim == '{' && t.Kind() != reflect.Struct && t.Kind() != reflect.Map:
		ps.addf(path, "must be %s, got an object", kind)
		t = nil // read on, to report what is inside
	case delim == '[' && t.Kind() != reflect.Slice && t.Kind() != reflect.Array:
		ps.addf(path, "must be %s, got an array", kind)
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
				w.dups.addf(joinPath(path, name), "duplicate field at offset %d", offset)
			}
			seen[name] = true
			var elem reflect.Type
			switch {
			case t == nil:
			case t.Kind() == reflect.Struct:
				f, known := fields[name]
				if !known {
					ps.addf(joinPath(path, name), "unknown field at offset %d%s", offset, caseHint(fields, name))
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

// scalarMismatch says why the scalar token tok (a bool, string,
// json.Number or nil) cannot be decoded into type t, or returns "".
func scalarMismatch(t reflect.Type, tok json.Token) string {
	var got string
	switch v := tok.(type) {
	case nil:
		return "" // null leaves the field as it is
	case bool:
		if t.Kind() == reflect.Bool {
			return ""
		}
		got = "a boolean"
	case string:
		if t.Kind() == reflect.String {
			return ""
		}
		got = "a string"
	case json.Number:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return numberMismatch(strconv.ParseInt(string(v), 10, t.Bits()))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return numberMismatch(strconv.ParseUint(string(v), 10, t.Bits()))
		case reflect.Float32, reflect.Float64:
			return numberMismatch(strconv.ParseFloat(string(v), t.Bits()))
		}
		got = "a number"
	}
	return fmt.Sprintf("must be %s, got %s", jsonKind(t), got)
}

// numberMismatch says why a number did not parse, or returns "".
func numberMismatch[T any](_ T, err error) string {
	var ne *strconv.NumError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange):
		return "is out of range, got " + quote(ne.Num)
	case errors.As(err, &ne):
		return "must be a whole number, got " + quote(ne.Num)
	}
	return err.Error()
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
