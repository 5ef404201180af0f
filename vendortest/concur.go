package vendortest

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// ConcurReportsPath is the path of SAP Concur's Expense v3 reports list
// under the Concur base URL, as the fake serves it.
const ConcurReportsPath = "/api/v3.0/expense/reports"

// concurDateLayout is how Concur writes dates (.NET's "FFF"): milliseconds
// with trailing zeros dropped, and no fraction at all on a whole second.
// Parsing with it accepts any fraction.
const concurDateLayout = "2006-01-02T15:04:05.999"

// ConcurConfig configures a [Concur] fake. Zero values are documented
// defaults.
type ConcurConfig struct {
	// Token is an OAuth 2 access token accepted as "Authorization:
	// Bearer <Token>" until [Concur.SetToken] changes it; it never
	// expires. Required unless the token endpoint is served.
	Token string

	// ClientID, ClientSecret and RefreshToken, all set, serve the token
	// endpoint (see [ConcurTokenPath]); RefreshToken is the one refresh
	// token valid at the start.
	ClientID, ClientSecret, RefreshToken string
	// TokenLifetime is the lifetime of the access tokens the endpoint
	// issues, on the fake's clock. Default one hour, as Concur's.
	TokenLifetime time.Duration
	// ExpiredStatus is the status the reports API answers for an unknown
	// or expired access token: 401 (the default), or 403 as Concur's
	// older documents say.
	ExpiredStatus int
	// Clock dates the Date header; Delay faults wait on it. Default: the
	// real clock.
	Clock clockwork.Clock
	// MaxLimit is the most reports a page holds, whatever limit asks.
	// Default and most: 100.
	MaxLimit int
	// OnRequest is called as [WooConfig.OnRequest] is.
	OnRequest func(LoggedRequest)
}

// Concur is a fake SAP Concur Expense v3 API: GET [ConcurReportsPath],
// {"Items":[...],"NextPage":...} with an absolute NextPage whose offset is
// opaque, limit (default 25, at most MaxLimit), user (ALL, or an owner's
// login id) and modifiedDateAfter (GMT) filters, bearer auth, string ids,
// .NET dates (2006-01-02T15:04:05.999, no trailing zeros), a Date header from its clock and
// {"Message":...} error bodies. Reports are listed oldest first.
//
// It is an [http.Handler]: serve it with [ServeConcur] in a test, or on a
// server of your own and tell it its URL with [Fake.SetURL]. Every
// request is logged and may be answered by an injected [Fault]. Its
// methods are safe for concurrent use.
type Concur struct {
	Fake

	maxLimit  int
	onRequest func(LoggedRequest)

	mu      sync.Mutex
	token   string
	reports map[string]Report
	auth    concurAuth
}

// Report is an expense report, as the reports list serves it.
type Report struct {
	// ID is the report's id, an opaque string: "0042" is not "42".
	ID           string
	Name         string
	Total        float64
	CurrencyCode string // "USD" when empty
	Country      string // "US" when empty
	// Created is CreateDate. Zero when putting one means now, on the
	// fake's clock.
	Created time.Time
	// Modified is LastModifiedDate. Zero when putting one means Created.
	Modified time.Time
	// Submitted, ProcessingPayment and Paid are SubmitDate,
	// ProcessingPaymentDate and PaidDate; zero is null.
	Submitted, ProcessingPayment, Paid time.Time
	LastComment                        string
	OwnerLoginID                       string // "jo.doe@example.com" when empty
	OwnerName                          string // "Doe, Jo" when empty
	ApproverLoginID                    string
	ApproverName                       string
	ApprovalStatusName                 string // "Not Submitted" when empty
	ApprovalStatusCode                 string // "A_NOTF" when empty
	PaymentStatusName                  string // "Not Paid" when empty
	PaymentStatusCode                  string // "P_NOTP" when empty
	PersonalAmount                     float64
	AmountDueEmployee                  float64
	AmountDueCompanyCard               float64
	TotalClaimedAmount                 float64
	TotalApprovedAmount                float64
	LedgerName                         string // "DEFAULT" when empty
	PolicyID                           string
	EverSentBack                       bool
	HasException                       bool
}

// NewConcur returns a fake with no reports. It returns an error wrapping
// [ErrConfig] if cfg lacks both Token and the token endpoint's client and
// refresh token, or has a negative MaxLimit or TokenLifetime.
func NewConcur(cfg ConcurConfig) (*Concur, error) {
	endpoint := cfg.ClientID != "" && cfg.ClientSecret != "" && cfg.RefreshToken != ""
	if cfg.Token == "" && !endpoint {
		return nil, fmt.Errorf("%w: ConcurConfig.Token is required, or ClientID, ClientSecret and RefreshToken", ErrConfig)
	}
	if cfg.TokenLifetime < 0 {
		return nil, fmt.Errorf("%w: ConcurConfig.TokenLifetime is negative", ErrConfig)
	}
	if st := cfg.ExpiredStatus; st != 0 && st != http.StatusUnauthorized && st != http.StatusForbidden {
		return nil, fmt.Errorf("%w: ConcurConfig.ExpiredStatus is %d, want 401 or 403", ErrConfig, st)
	}
	if cfg.MaxLimit < 0 {
		return nil, fmt.Errorf("%w: ConcurConfig.MaxLimit is negative", ErrConfig)
	}
	c := &Concur{
		maxLimit: min(cmp.Or(cfg.MaxLimit, 100), 100), onRequest: cfg.OnRequest,
		token: cfg.Token, reports: make(map[string]Report),
		auth: concurAuth{
			endpoint: endpoint, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret,
			lifetime: cmp.Or(cfg.TokenLifetime, time.Hour), expired: cmp.Or(cfg.ExpiredStatus, http.StatusUnauthorized),
			refresh: cfg.RefreshToken, used: make(map[string]bool), access: make(map[string]time.Time),
		},
	}
	c.init(cfg.Clock, "https://us.api.concursolutions.com", nil)
	return c, nil
}

// ServeConcur starts a fake on an [httptest.Server] and tells it its URL.
// The test fails at once if cfg is invalid; the fake and the server are
// closed when the test ends.
func ServeConcur(t testing.TB, cfg ConcurConfig) *Concur {
	t.Helper()
	c, err := NewConcur(cfg)
	if err != nil {
		t.Fatalf("vendortest: ServeConcur: %v", err)
	}
	c.start(t, c)
	return c
}

// SetToken changes the access token the fake accepts.
func (c *Concur) SetToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = token
}

// PutReport stores r, filling in Concur's defaults, and returns the
// report stored.
func (c *Concur) PutReport(r Report) Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.Created.IsZero() {
		r.Created = c.clock.Now()
	}
	if r.Modified.IsZero() {
		r.Modified = r.Created
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&r.CurrencyCode, "USD")
	def(&r.Country, "US")
	def(&r.OwnerLoginID, "jo.doe@example.com")
	def(&r.OwnerName, "Doe, Jo")
	def(&r.ApprovalStatusName, "Not Submitted")
	def(&r.ApprovalStatusCode, "A_NOTF")
	def(&r.PaymentStatusName, "Not Paid")
	def(&r.PaymentStatusCode, "P_NOTP")
	def(&r.LedgerName, "DEFAULT")
	c.reports[r.ID] = r
	return r
}

// Report returns report id as stored, and false if there is none.
func (c *Concur) Report(id string) (Report, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.reports[id]
	return r, ok
}

// DeleteReport deletes report id.
func (c *Concur) DeleteReport(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.reports, id)
}

// Record returns the JSON the fake serves for report id, byte for byte as
// in a page, and false if there is none.
func (c *Concur) Record(id string) ([]byte, bool) {
	c.mu.Lock()
	r, ok := c.reports[id]
	c.mu.Unlock()
	base := c.URL()
	if !ok {
		return nil, false
	}
	b, err := json.Marshal(r.wire(base))
	return b, err == nil
}

// concurDate writes t as Concur does; zero is null.
func concurDate(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(concurDateLayout)
	return &s
}

func (r Report) wire(base string) any {
	return struct {
		ID                    string
		Name                  string
		Total                 float64
		CurrencyCode          string
		Country               string
		CountrySubdivision    *string
		CreateDate            *string
		SubmitDate            *string
		ProcessingPaymentDate *string
		PaidDate              *string
		UserDefinedDate       string
		LastComment           string
		OwnerLoginID          string
		OwnerName             string
		ApproverLoginID       string
		ApproverName          string
		ApprovalStatusName    string
		ApprovalStatusCode    string
		PaymentStatusName     string
		PaymentStatusCode     string
		LastModifiedDate      *string
		PersonalAmount        float64
		AmountDueEmployee     float64
		AmountDueCompanyCard  float64
		TotalClaimedAmount    float64
		TotalApprovedAmount   float64
		LedgerName            string
		PolicyID              string
		EverSentBack          bool
		HasException          bool
		WorkflowActionURL     string
		URI                   string
	}{
		r.ID, r.Name, r.Total, r.CurrencyCode, r.Country, nil, concurDate(r.Created), concurDate(r.Submitted),
		concurDate(r.ProcessingPayment), concurDate(r.Paid), r.Created.UTC().Format("2006-01-02T00:00:00"),
		r.LastComment, r.OwnerLoginID, r.OwnerName, r.ApproverLoginID, r.ApproverName, r.ApprovalStatusName,
		r.ApprovalStatusCode, r.PaymentStatusName, r.PaymentStatusCode, concurDate(r.Modified), r.PersonalAmount,
		r.AmountDueEmployee, r.AmountDueCompanyCard, r.TotalClaimedAmount, r.TotalApprovedAmount, r.LedgerName,
		r.PolicyID, r.EverSentBack, r.HasException, "", base + ConcurReportsPath + "/" + url.PathEscape(r.ID),
	}
}

// concurOffset writes the opaque offset of a NextPage.
func concurOffset(n int) string {
	return "gWq" + base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(n)))
}

// readConcurOffset reads an offset written by concurOffset.
func readConcurOffset(s string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, "gWq"))
	if err != nil || !strings.HasPrefix(s, "gWq") {
		return 0, false
	}
	n, err := strconv.Atoi(string(b))
	return n, err == nil && n >= 0
}

// ServeHTTP serves the reports list; see [Concur].
func (c *Concur) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	entry := newRequest(r, c.clock.Now())
	defer func() {
		entry.Status = sw.status
		c.log.add(entry)
	}()
	c.serve(sw, r, &entry)
}

func (c *Concur) serve(w http.ResponseWriter, r *http.Request, entry *LoggedRequest) {
	if r.URL.Path == ConcurTokenPath && c.auth.endpoint {
		entry.Resource = "token"
		c.serveToken(w, r, entry)
		return
	}
	if !c.authorized(r.Header.Get("Authorization")) {
		c.fail(w, c.auth.expired, "Authorization has been denied for this request.")
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != ConcurReportsPath {
		c.fail(w, http.StatusNotFound, "No HTTP resource was found that matches the request URI.")
		return
	}
	entry.Resource = "reports"
	q := entry.Query
	limit := 25
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.fail(w, http.StatusBadRequest, "The limit is invalid.")
			return
		}
		limit = n
	}
	limit = min(limit, c.maxLimit)
	offset := 0
	if v := q.Get("offset"); v != "" {
		n, ok := readConcurOffset(v)
		if !ok {
			c.fail(w, http.StatusBadRequest, "The offset is invalid.")
			return
		}
		offset = n
	}
	var after time.Time
	if v := q.Get("modifiedDateAfter"); v != "" {
		t, err := time.Parse(concurDateLayout, v)
		if err != nil {
			c.fail(w, http.StatusBadRequest, "modifiedDateAfter is not a date.")
			return
		}
		after = t
	}
	entry.Page = offset/limit + 1
	f := c.faults.match("reports", entry.Page)
	entry.Fault = f
	if c.onRequest != nil {
		c.onRequest(*entry)
	}
	if !holdFor(c.clock, c.closed, r, f) {
		return
	}
	if f != nil && f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		c.fail(w, f.Status, http.StatusText(f.Status))
		return
	}

	user := q.Get("user")
	c.mu.Lock()
	var list []Report
	for _, rp := range c.reports {
		if (after.IsZero() || rp.Modified.After(after)) && (user == "" || user == "ALL" || strings.EqualFold(user, rp.OwnerLoginID)) {
			list = append(list, rp)
		}
	}
	c.mu.Unlock()
	base := c.URL()
	slices.SortFunc(list, func(a, b Report) int { return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID)) })
	lo, hi := min(offset, len(list)), min(offset+limit, len(list))
	served := list[lo:hi]
	switch {
	case f != nil && f.Empty:
		served = nil
	case f != nil && f.Overlap && lo > 0 && lo < len(list):
		served = append([]Report{list[lo-1]}, served...)
	}
	page := struct {
		Items    []any
		NextPage *string
	}{Items: make([]any, len(served))}
	for i, rp := range served {
		page.Items[i] = rp.wire(base)
		entry.IDs = append(entry.IDs, rp.ID)
	}
	if hi < len(list) {
		// Absolute, with the parameters in Concur's order and an opaque
		// offset: the client must follow it as given.
		origin, path := origin(r)
		entry.Next = fmt.Sprintf("%s%s?offset=%s&limit=%d&user=%s&modifiedDateAfter=%s", origin, path,
			concurOffset(hi), limit, url.QueryEscape(user), url.QueryEscape(q.Get("modifiedDateAfter")))
		page.NextPage = &entry.Next
	}
	body, err := json.Marshal(page)
	if err != nil {
		c.fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	c.header(w)
	writeBody(w, body, f)
}

func (c *Concur) header(w http.ResponseWriter) {
	w.Header().Set("Date", c.clock.Now().UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
}

// fail answers an error as Concur does.
func (c *Concur) fail(w http.ResponseWriter, status int, message string) {
	c.header(w)
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]string{"Message": message})
	_, _ = w.Write(body)
}
