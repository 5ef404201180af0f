package webhook

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// read reads the payload of a request: the body, bounded by MaxBodyBytes,
// or for a GET the query string. A form body is read as fields when the
// definition accepts forms. Errors wrap [ErrTooLarge] or [ErrBadBody].
func (h *Handler) read(w http.ResponseWriter, r *http.Request, p *prepared) (payload, error) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		return payload{signed: []byte(r.URL.RawQuery), form: flatten(q)}, nil
	}
	body, err := h.readBody(w, r)
	if err != nil {
		return payload{}, err
	}
	in := payload{body: body, signed: body}
	if p.formEncoded && isForm(r.Header) {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return payload{}, fmt.Errorf("%w: form body: %w", ErrBadBody, err)
		}
		in.form = flatten(vals)
	}
	return in, nil
}

// readBody reads the whole body, at most MaxBodyBytes, sized from
// Content-Length so that a body of the announced size takes one allocation.
//
// A body of unknown length is read through http.MaxBytesReader, which also
// has the server close the connection after the 413. A body whose
// Content-Length is within the bound is read as it is: the server stops it
// at that length, so it cannot run over, and the bound is still checked
// here for a request built by other means.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > h.maxBody {
		return nil, fmt.Errorf("%w: Content-Length %d over %d", ErrTooLarge, r.ContentLength, h.maxBody)
	}
	rd := r.Body
	size := int64(512)
	if r.ContentLength >= 0 {
		size = r.ContentLength + 1 // room to see EOF without growing
	} else {
		rd = http.MaxBytesReader(w, r.Body, h.maxBody)
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		// Never read more than one byte over the bound.
		room := buf[len(buf):cap(buf)]
		if left := h.maxBody + 1 - int64(len(buf)); int64(len(room)) > left {
			room = room[:left]
		}
		n, err := rd.Read(room)
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > h.maxBody {
			return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, h.maxBody)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, h.maxBody)
			}
			return nil, fmt.Errorf("%w: %w", ErrBadBody, err)
		}
	}
}

// isForm reports a form-encoded body by its Content-Type.
func isForm(h http.Header) bool {
	ct, _, _ := strings.Cut(firstHeader(h, "Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}
