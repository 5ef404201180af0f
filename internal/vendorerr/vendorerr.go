// Package vendorerr reads the error body a vendor API answers, such as
// WordPress's and so WooCommerce's {"code": "...", "message": "...",
// "data": {"status": 401}}, for the poller's and the Subscriber's errors.
//
//	code, message := vendorerr.Read(body)
package vendorerr

import (
	"encoding/json"
	"fmt"

	"github.com/a12b7632/elementevents/internal/quote"
)

// Read returns the code and message of a {"code","message"} error body,
// cut short for an error message; both empty when body is not one. The
// text is the vendor's: scrub it of credentials before use.
func Read(body []byte) (code, message string) {
	var e struct {
		Code    any    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	if e.Code != nil {
		code = fmt.Sprint(e.Code)
	}
	return quote.CutN(code, 128), quote.CutN(e.Message, 256)
}
