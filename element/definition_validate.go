package element

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/a12b7632/elementevents/internal/urltemplate"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/javatime"
)

// Validate checks d and returns a [*ValidationError] listing every
// problem, or nil. It checks the struct rules (required fields, enumerated
// styles, non-negative sizes) and the rules that span fields: each auth
// and pagination style has the fields it needs and none it ignores, base
// URL templates are well formed, header names and dotted paths are
// well formed, and the default resources' URLs, date patterns and time
// zones compile.
func (d *Definition) Validate() error {
	if d == nil {
		return problemList{{Message: "definition is nil"}}.err("definition")
	}
	return d.problems().err(definitionSubject(d.Key))
}

// problems checks d against the rules of Validate.
func (d *Definition) problems() problemList {
	var ps problemList
	definitionStructProblems(d, &ps)
	d.checkIdentity(&ps)
	d.checkBaseURL(&ps)
	d.Auth.check(&ps, "auth")
	for scheme, a := range d.AuthByScheme {
		if scheme != "http" && scheme != "https" {
			ps.addf("authByScheme."+scheme, "must be http or https")
		}
		a.check(&ps, "authByScheme."+scheme)
	}
	d.checkPaging(&ps)
	d.checkPaths(&ps)
	d.checkResources(&ps)
	d.Webhook.check(&ps)
	d.checkSubscription(&ps)
	return ps
}

var definitionValidator = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Name fields by their JSON names, so that messages point into the
	// JSON a user wrote.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	return v
})

// definitionStructProblems runs the validate tags.
func definitionStructProblems(d *Definition, ps *problemList) {
	err := definitionValidator().Struct(d)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			ps.wrap("definition", err)
		}
		return
	}
	for _, fe := range verrs {
		ps.addf(jsonPath(fe.Namespace()), "%s", tagMessage(fe))
	}
}

// jsonPath turns a validator namespace, "Definition.resources[customers].url",
// into a JSON path, "resources.customers.url". Slice indexes stay in
// brackets.
func jsonPath(ns string) string {
	_, ns, _ = strings.Cut(ns, ".")
	var b strings.Builder
	for {
		i := strings.IndexByte(ns, '[')
		if i < 0 {
			b.WriteString(ns)
			return b.String()
		}
		j := strings.IndexByte(ns[i:], ']')
		if j < 0 {
			b.WriteString(ns)
			return b.String()
		}
		b.WriteString(ns[:i])
		key := ns[i+1 : i+j]
		if isDigits(key) {
			b.WriteString(ns[i : i+j+1])
		} else {
			b.WriteString(".")
			b.WriteString(key)
		}
		ns = ns[i+j+1:]
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func tagMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "required"
	case "oneof":
		return "must be one of " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "gte":
		return "must be at least " + fe.Param()
	}
	return "fails rule " + fe.Tag()
}

func (d *Definition) checkIdentity(ps *problemList) {
	if d.Key != "" && !validIdent(d.Key) {
		ps.addf("key", "must be 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit")
	}
	if d.Hub != "" && !validIdent(d.Hub) {
		ps.addf("hub", "must be 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit")
	}
}

// validIdent reports whether s is a lowercase identifier, as element keys
// and hubs are.
func validIdent(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '_' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (d *Definition) checkBaseURL(ps *problemList) {
	for k := range d.Defaults {
		if !validRefName(k) {
			ps.addf("defaults."+k, "key must be made of letters, digits and '._-'")
		}
	}
	if d.BaseURL == "" {
		return
	}
	if strings.Contains(d.BaseURL, "${") {
		ps.addf("baseUrl", "must not hold ${...} placeholders; put them in resource URLs")
		return
	}
	// Fill a leading reference with a URL and any other with a host-safe
	// word, so that both "{store.url}/wp-json" and
	// "https://{shop}.example.com" can be checked as URLs.
	s, err := expandTemplate(d.BaseURL, func(string) (string, bool) { return "x", true })
	if err != nil {
		ps.wrap("baseUrl", err)
		return
	}
	if strings.HasPrefix(d.BaseURL, "{") {
		i := strings.IndexByte(d.BaseURL, '}')
		s = "https://example.invalid" + d.BaseURL[i+1:]
		if s, err = expandTemplate(s, func(string) (string, bool) { return "x", true }); err != nil {
			ps.wrap("baseUrl", err)
			return
		}
	}
	if err := checkAbsoluteHTTP(s); err != nil {
		ps.addf("baseUrl", "%v", err)
	}
}

func (d *Definition) checkPaging(ps *problemList) {
	p := d.Pagination
	style := p.Style
	if style == "" {
		style = vocab.PaginationNone
	}
	unused := func(field string, set bool) {
		if set {
			ps.addf("pagination."+field, "not used by pagination style %s", style)
		}
	}
	if style != vocab.PaginationPage {
		unused("pageParam", p.PageParam != "")
		unused("firstPage", p.FirstPage != 0)
	}
	if style != vocab.PaginationOffset {
		unused("offsetParam", p.OffsetParam != "")
	}
	if style == vocab.PaginationNextURL {
		if p.NextField == "" {
			ps.addf("pagination.nextField", "required for pagination style next-url")
		}
	} else {
		unused("nextField", p.NextField != "")
	}
	for _, h := range [][2]string{{"totalPagesHeader", p.TotalPagesHeader}, {"totalHeader", p.TotalHeader}} {
		if h[1] != "" && !validHeaderName(h[1]) {
			ps.addf("pagination."+h[0], "must be a valid header name")
		}
	}
	checkDotted(ps, "pagination.nextField", p.NextField)
	checkDotted(ps, "pagination.totalField", p.TotalField)
	checkDotted(ps, "recordsPath", d.RecordsPath)
	if d.MaxPageSize > 0 && d.DefaultPageSize > d.MaxPageSize {
		ps.addf("defaultPageSize", "must not exceed maxPageSize (%d)", d.MaxPageSize)
	}
}

func (d *Definition) checkPaths(ps *problemList) {
	for from, to := range d.Paths {
		field := "paths." + from
		if !strings.HasPrefix(from, "/") || strings.ContainsAny(from, "?#") {
			ps.addf(field, "hub path must start with / and have no query")
		}
		if !strings.HasPrefix(to, "/") {
			ps.addf(field, "vendor path must start with /")
		}
	}
}

func (d *Definition) checkResources(ps *problemList) {
	for name, r := range d.Resources {
		field := "resources." + name
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t\r\n") {
			ps.addf(field, "object name must be non-empty, without spaces")
		}
		checkDotted(ps, field+".idField", r.IDField)
		checkDotted(ps, field+".recordsPath", r.RecordsPath)
		dates := r.Dates
		checkDotted(ps, field+".datesConfiguration.updatedDateField", dates.UpdatedField)
		checkDotted(ps, field+".datesConfiguration.createdDateField", dates.CreatedField)
		zone := checkDate(ps, field+".datesConfiguration.updatedDate", dates.UpdatedFormat, dates.UpdatedTimezone)
		checkDate(ps, field+".datesConfiguration.createdDate", dates.CreatedFormat, dates.CreatedTimezone)
		if r.URL != "" {
			if zone == nil {
				zone = time.UTC
			}
			if _, err := urltemplate.Compile(d.VendorPath(r.URL), zone); err != nil {
				ps.wrap(field+".url", err)
			}
		}
	}
}

// checkDate checks a date pattern and zone; prefix names the fields
// without their Format and Timezone suffixes. It returns the zone, or nil
// if none is set or it is unknown.
func checkDate(ps *problemList, prefix, format, timezone string) *time.Location {
	var zone *time.Location
	if timezone != "" {
		z, err := javatime.LoadLocation(timezone)
		if err != nil {
			ps.wrap(prefix+"Timezone", err)
			// Check the pattern alone, so a bad zone is reported once.
			timezone = ""
		}
		zone = z
	}
	if format != "" {
		if _, err := javatime.NewLayout(format, timezone); err != nil {
			ps.wrap(prefix+"Format", err)
		}
	}
	return zone
}

func (w Webhook) check(ps *problemList) {
	scheme := w.SignatureScheme
	if scheme == "" {
		scheme = vocab.SignatureNone
	}
	unused := func(field, value string) {
		if value != "" {
			ps.addf("webhook."+field, "not used by signature scheme %s", scheme)
		}
	}
	switch scheme {
	case vocab.SignatureNone:
		unused("signatureHeader", w.SignatureHeader)
		unused("signatureEncoding", w.SignatureEncoding)
		unused("signaturePrefix", w.SignaturePrefix)
		unused("secretKey", w.SecretKey)
	case vocab.SignatureHMACSHA256:
		if w.SignatureHeader == "" {
			ps.addf("webhook.signatureHeader", "required for signature scheme hmac-sha256")
		}
		if w.SecretKey == "" {
			ps.addf("webhook.secretKey", "required for signature scheme hmac-sha256")
		}
	case vocab.SignatureStandardWebhooks:
		unused("signatureHeader", w.SignatureHeader)
		unused("signatureEncoding", w.SignatureEncoding)
		unused("signaturePrefix", w.SignaturePrefix)
		if w.SecretKey == "" {
			ps.addf("webhook.secretKey", "required for signature scheme standard-webhooks")
		}
	}
	if w.SecretKey != "" && !validRefName(w.SecretKey) {
		ps.addf("webhook.secretKey", "must be a configuration key made of letters, digits and '._-'")
	}
	for _, h := range [][2]string{
		{"signatureHeader", w.SignatureHeader},
		{"topicHeader", w.TopicHeader},
		{"deliveryIdHeader", w.DeliveryIDHeader},
	} {
		if h[1] != "" && !validHeaderName(h[1]) {
			ps.addf("webhook."+h[0], "must be a valid header name")
		}
	}
	for _, p := range [][2]string{
		{"changesPath", w.ChangesPath},
		{"objectTypePath", w.ObjectTypePath},
		{"objectIdPath", w.ObjectIDPath},
		{"eventTypePath", w.EventTypePath},
		{"datePath", w.DatePath},
	} {
		checkDotted(ps, "webhook."+p[0], p[1])
	}
	if w.DateFormat != "" || w.DateTimezone != "" {
		if w.DatePath == "" {
			ps.addf("webhook.datePath", "required when dateFormat or dateTimezone is set")
		}
		checkDate(ps, "webhook.date", w.DateFormat, w.DateTimezone)
	}
	seen := map[string]bool{}
	for i, m := range w.Methods {
		if seen[m] {
			ps.addf(fmt.Sprintf("webhook.methods[%d]", i), "duplicate method %s", m)
		}
		seen[m] = true
	}
	w.Topics.check(ps)
}

func (m TopicMap) check(ps *problemList) {
	for from, to := range m.Objects {
		if from == "" || to == "" {
			ps.addf("webhook.topics.objects."+from, "resource and object type must be non-empty")
		}
	}
	for from, to := range m.Actions {
		if from == "" {
			ps.addf("webhook.topics.actions.", "action must be non-empty")
		}
		if !isEventType(to) {
			ps.addf("webhook.topics.actions."+from, "must be one of CREATED, UPDATED, DELETED, UNKNOWN")
		}
	}
}

// checkDotted checks a dotted path such as "billing.email": segments are
// non-empty and hold no spaces.
func checkDotted(ps *problemList, field, path string) {
	if path == "" {
		return
	}
	for seg := range strings.SplitSeq(path, ".") {
		if seg == "" || strings.ContainsAny(seg, " \t\r\n") {
			ps.addf(field, "must be a dotted path of non-empty segments without spaces")
			return
		}
	}
}

// validHeaderName reports whether s is an HTTP token (RFC 9110 5.6.2).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}
