package api

import (
	_ "embed"
	"net/http"
)

// openAPIPath is the route of the document; it needs no credentials.
const openAPIPath = "/openapi.json"

// openAPIDocument is the OpenAPI 3.1 description of the API, written by
// hand; the contract test checks it against the route table.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the OpenAPI 3.1 document of the API (a copy), as GET
// /openapi.json serves it. Its paths are relative to the mount point.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

// openAPI is GET /openapi.json.
func (h *Handler) openAPI(w http.ResponseWriter, _ *request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
	return nil
}
