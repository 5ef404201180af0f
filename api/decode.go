package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/a12b7632/elementevents/element"
)

// readBody reads the request body, which must be JSON (Content-Type
// application/json, application/merge-patch+json or another +json type;
// else 415) and not empty (else 400). A body over the limit is a
// *http.MaxBytesError (413). The string values of the body's secret
// configuration keys are kept in r.secrets, so that no answer shows them.
func readBody(r *request) ([]byte, error) {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, badRequest("the request body is empty; a JSON object is required")
	}
	r.secrets = append(r.secrets, bodySecrets(data)...)
	return data, nil
}

// readOptionalBody is readBody for routes whose body may be empty: it
// returns nil for an empty one, whatever its Content-Type.
func readOptionalBody(r *request) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	return data, nil
}

// checkJSONType returns a 415 problem unless ct is a JSON media type.
func checkJSONType(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	if ct == "" {
		ct = "none"
	}
	return &Problem{Status: http.StatusUnsupportedMediaType,
		Detail: fmt.Sprintf("Content-Type %q is not JSON; send application/json", ct)}
}

// bodySecrets returns the string values of the secret configuration keys
// of an instance body (or of a {"propertyValue": ...} body); nothing when
// it is not one.
func bodySecrets(data []byte) []string {
	var b struct {
		Configuration map[string]json.RawMessage `json:"configuration"`
		PropertyValue json.RawMessage            `json:"propertyValue"`
	}
	if json.Unmarshal(data, &b) != nil {
		return nil
	}
	var out []string
	add := func(raw json.RawMessage) {
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" && s != redacted {
			out = append(out, s)
		} else if len(raw) > 0 && raw[0] != '"' && string(raw) != "null" {
			out = append(out, string(raw))
		}
	}
	for k, v := range b.Configuration {
		if element.IsSecretKey(k) {
			add(v)
		}
	}
	if len(b.PropertyValue) > 0 {
		add(b.PropertyValue) // the key is checked by the route; hide it anyway
	}
	return out
}

// decodeJSON decodes data into v, refusing unknown fields when strict; a
// syntax or type error is a 400 problem with its position.
func decodeJSON(data []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = fmt.Errorf("invalid character after the top-level value")
			return positioned(data, dec.InputOffset(), err.Error())
		}
		return nil
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return positioned(data, syn.Offset, "malformed JSON: "+syn.Error())
	case errors.As(err, &typ):
		return positioned(data, typ.Offset, fmt.Sprintf("%s: a JSON %s where a %s is expected", typ.Field, typ.Value, typ.Type))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return positioned(data, int64(len(data)), "malformed JSON: the body ends too soon")
	}
	return badRequest(err.Error())
}

// positioned returns a 400 syntax problem at offset of data.
func positioned(data []byte, offset int64, detail string) *Problem {
	offset = max(0, min(offset, int64(len(data))))
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	col := int(offset) - bytes.LastIndexByte(data[:offset], '\n')
	return &Problem{Status: http.StatusBadRequest, Type: ProblemTypePrefix + "syntax",
		Detail: fmt.Sprintf("%s (line %d, column %d, byte %d)", detail, line, col, offset),
		Offset: &offset, Line: line, Column: col}
}

// ifMatch returns the version an If-Match header names: 0 when it is
// absent or "*" (unconditional). Several etags are resolved against the
// current version by current; a malformed or weak one is a 412 problem,
// since it can match no version.
func ifMatch(r *request, current func() (int64, error)) (int64, error) {
	hv := strings.TrimSpace(r.Header.Get("If-Match"))
	if hv == "" || hv == "*" {
		return 0, nil
	}
	var versions []int64
	for tag := range strings.SplitSeq(hv, ",") {
		v, ok := parseETag(strings.TrimSpace(tag))
		if ok {
			versions = append(versions, v)
		}
	}
	switch len(versions) {
	case 0:
		return 0, &Problem{Status: http.StatusPreconditionFailed,
			Detail: "If-Match names no version of this instance; send the ETag of a GET"}
	case 1:
		return versions[0], nil
	}
	cur, err := current()
	if err != nil {
		return 0, err
	}
	for _, v := range versions {
		if v == cur {
			return v, nil
		}
	}
	return 0, &Problem{Status: http.StatusPreconditionFailed,
		Detail: "the instance is at version " + itoa(cur) + ", which If-Match does not name"}
}

// etag is the strong ETag of a version.
func etag(version int64) string { return `"` + itoa(version) + `"` }

// parseETag reads a strong ETag made by etag.
func parseETag(s string) (int64, bool) {
	if len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
		return 0, false
	}
	v, err := strconv.ParseInt(s[1:len(s)-1], 10, 64)
	return v, err == nil && v > 0
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
