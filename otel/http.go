package otel

import (
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// methodOf is http.request.method: the method if it is a known one,
// _OTHER otherwise, as the semantic conventions bound it.
func methodOf(m string) attribute.KeyValue {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodHead, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return semconv.HTTPRequestMethodKey.String(m)
	}
	return semconv.HTTPRequestMethodKey.String("_OTHER")
}

// errorStatus is error.type of a failing HTTP status: the status code.
func errorStatus(status int) attribute.KeyValue {
	return semconv.ErrorTypeKey.String(strconv.Itoa(status))
}

// responseAttrs are the attributes of an HTTP response's status, 0 for
// none (a transport error): http.response.status_code, and error.type
// for a failure.
func responseAttrs(status int) []attribute.KeyValue {
	switch {
	case status == 0:
		return []attribute.KeyValue{semconv.ErrorTypeOther}
	case status >= 400:
		return []attribute.KeyValue{semconv.HTTPResponseStatusCode(status), errorStatus(status)}
	default:
		return []attribute.KeyValue{semconv.HTTPResponseStatusCode(status)}
	}
}
