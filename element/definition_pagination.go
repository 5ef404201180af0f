package element

// Pagination says how the poller asks a vendor API for the next page.
type Pagination struct {
	// Style is the pagination style:
	//
	//   - "none" (the default, also when empty) fetches one page only.
	//   - "page" counts pages: PageParam from FirstPage up, with the page
	//     size in SizeParam, until TotalPagesHeader says it was the last
	//     page or, without that header, a page comes back short or empty
	//     (WordPress and WooCommerce: page, per_page, X-WP-TotalPages).
	//   - "link" follows the Link response header's rel="next" URL (RFC
	//     8288) until there is none.
	//   - "next-url" follows the URL found at the dotted path NextField of
	//     the page body (Concur's NextPage) until it is missing, null or
	//     empty.
	//   - "offset" counts records: OffsetParam from 0 up by the page size
	//     in SizeParam, until a page comes back short or empty, or the
	//     offset reaches the total from TotalHeader or TotalField.
	//
	// link and next-url follow URLs only on the resource's own scheme,
	// host and port: a page must not send the poller elsewhere.
	Style string `json:"style,omitempty" validate:"omitempty,oneof=none page link next-url offset"`

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
