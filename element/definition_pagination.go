package element

// PaginationStyle is how a vendor API pages through a collection.
type PaginationStyle string

// Pagination styles of a [Definition].
const (
	// PaginationNone fetches one page only. It is the default.
	PaginationNone PaginationStyle = "none"
	// PaginationPage counts pages: PageParam from FirstPage up, with the page
	// size in SizeParam, until TotalPagesHeader says it was the last page or,
	// without that header, a page comes back short or empty (WordPress and
	// WooCommerce: page, per_page, X-WP-TotalPages).
	PaginationPage PaginationStyle = "page"
	// PaginationLink follows the Link response header's rel="next" URL
	// (RFC 8288) until there is none. Like [PaginationNextURL], it follows
	// URLs only on the resource's own scheme, host and port.
	PaginationLink PaginationStyle = "link"
	// PaginationNextURL follows the URL found at the dotted path NextField of
	// the page body (Concur's NextPage) until it is missing, null or empty.
	// A URL on another scheme, host or port than the resource's is an
	// error, credentials or not: a page must not send the poller elsewhere.
	PaginationNextURL PaginationStyle = "next-url"
	// PaginationOffset counts records: OffsetParam from 0 up by the page
	// size in SizeParam, until a page comes back short or empty, or the
	// offset reaches the total from TotalHeader or TotalField.
	PaginationOffset PaginationStyle = "offset"
)

// Pagination says how the poller asks a vendor API for the next page.
type Pagination struct {
	// Style is the pagination style. Empty means [PaginationNone].
	Style PaginationStyle `json:"style,omitempty" validate:"omitempty,oneof=none page link next-url offset"`

	// PageParam is the query parameter holding the page number. Empty means
	// "page". Page style only.
	PageParam string `json:"pageParam,omitempty"`

	// FirstPage is the number of the first page. Zero means 1. Page style
	// only.
	FirstPage int `json:"firstPage,omitempty" validate:"gte=0"`

	// SizeParam is the query parameter holding the page size ("per_page",
	// "limit"). Empty means the size is not sent. Any style.
	SizeParam string `json:"sizeParam,omitempty"`

	// OffsetParam is the query parameter holding the offset of the first
	// record. Empty means "offset". Offset style only.
	OffsetParam string `json:"offsetParam,omitempty"`

	// NextField is the dotted path of the next page's URL in the page body
	// ("NextPage"); the URL may be absolute or relative to the request.
	// Required for next-url; unused otherwise.
	NextField string `json:"nextField,omitempty"`

	// TotalPagesHeader is the response header holding the number of pages
	// ("X-WP-TotalPages"). Empty means it is not read.
	TotalPagesHeader string `json:"totalPagesHeader,omitempty"`

	// TotalHeader is the response header holding the number of records
	// across all pages ("X-WP-Total"). Empty means it is not read. The
	// poller uses a total to confirm that a snapshot is complete before it
	// infers deletions.
	TotalHeader string `json:"totalHeader,omitempty"`

	// TotalField is the dotted path of the number of records across all
	// pages in the page body. Empty means it is not read.
	TotalField string `json:"totalField,omitempty"`
}
