package element

import (
	"encoding/json"
	"time"
)

// Resource is how one polled resource is fetched and diffed: one entry of
// event.poller.configuration (or of the legacy event.poller.urls).
//
// The JSON names are those of event.poller.configuration; durations are
// written there in seconds.
type Resource struct {
	// URL is the resource path or URL, relative to the element's API base
	// URL, with optional ${...} placeholders that each poll fills with the
	// time the poll window starts. Required. The placeholders are:
	//
	//	${gmtDate:FMT}            in GMT, with a Java date pattern (see package javatime)
	//	${date:FMT}               in the zone of Dates.UpdatedTimezone (UTC if none)
	//	${dateTimeZone:ZONE:FMT}  in ZONE (see javatime.LoadLocation); also ${DateTimeZone:...}
	//	${date}                   in that zone as ISO 8601, "2006-01-02T15:04:05.000Z07:00"
	//	${epoch}, ${epoch:ms}     milliseconds since the Unix epoch; also ${milliseconds}
	//	${epoch:s}, ${epoch:us}   seconds or microseconds since the Unix epoch
	//
	// A placeholder ends at the first '}', so a pattern may hold quotes
	// (${gmtDate:yyyy-MM-dd'T'HH:mm:ss}); the ZONE of dateTimeZone is the
	// longest text up to a colon that names a zone, so GMT+05:30 works.
	// Values after the first '?' are query-escaped, earlier ones
	// path-escaped; text outside placeholders is kept as written.
	URL string `json:"url" validate:"required"`

	// IDField is the dotted path of the record's id ("id", "customer.id").
	// Required.
	IDField string `json:"idField" validate:"required"`

	// Dates says where the records carry their created and updated dates
	// and how to read them.
	Dates Dates `json:"datesConfiguration"`

	// FilterByUpdatedDate, true unless set to false, ignores records whose
	// updated date is not after the poll window. When false, records are
	// filtered by created date and all are reported as CREATED.
	FilterByUpdatedDate bool `json:"filterByUpdatedDate"`

	// FilterByCurrentDate bounds the poll window at the poll's start.
	FilterByCurrentDate bool `json:"filterByCurrentDate,omitempty"`

	// CreatedCheckTolerance is how far apart the created and updated dates
	// may be for a record to count as CREATED. Zero: they must be equal.
	// Written in seconds, at the resource level or inside
	// datesConfiguration.
	CreatedCheckTolerance time.Duration `json:"-" validate:"gte=0"`

	// PageSize is the number of records asked for per page. Zero means
	// the element definition's default; it is capped at the definition's
	// maximum.
	PageSize int `json:"pageSize,omitempty" validate:"gte=0"`

	// PollDelay shifts the poll window back to allow for vendors that
	// publish changes late. Written in seconds.
	PollDelay time.Duration `json:"-" validate:"gte=0"`

	// RecordsPath is the dotted path of the records array in a page
	// ("Items"). Empty means the definition's, or a top-level array.
	RecordsPath string `json:"recordsPath,omitempty"`
}

// Dates is the datesConfiguration of a [Resource]: the fields holding the
// updated and created dates, their Java date patterns (see
// [javatime.NewLayout]) and time zones (see [javatime.LoadLocation]).
type Dates struct {
	UpdatedField    string `json:"updatedDateField,omitempty"`
	UpdatedFormat   string `json:"updatedDateFormat,omitempty"`
	UpdatedTimezone string `json:"updatedDateTimezone,omitempty"`
	CreatedField    string `json:"createdDateField,omitempty"`
	CreatedFormat   string `json:"createdDateFormat,omitempty"`
	CreatedTimezone string `json:"createdDateTimezone,omitempty"`
}

// MarshalJSON writes the resource as an entry of event.poller.configuration,
// durations in seconds.
func (r Resource) MarshalJSON() ([]byte, error) {
	type plain Resource // without methods, so json does not recurse
	var tolerance, delay *float64
	if r.CreatedCheckTolerance != 0 {
		s := r.CreatedCheckTolerance.Seconds()
		tolerance = &s
	}
	if r.PollDelay != 0 {
		s := r.PollDelay.Seconds()
		delay = &s
	}
	return json.Marshal(struct {
		plain
		CreatedCheckTolerance *float64 `json:"createdCheckTolerance,omitempty"`
		PollDelay             *float64 `json:"pollDelay,omitempty"`
	}{plain(r), tolerance, delay})
}

// UnmarshalJSON reads an entry of event.poller.configuration with the same
// tolerance as [Parse]. Problems are a [*ValidationError].
func (r *Resource) UnmarshalJSON(data []byte) error {
	res, problems := decodeResource("resource", data)
	*r = res
	return problems.err("")
}
