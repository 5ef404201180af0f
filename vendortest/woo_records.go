package vendortest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Customer is a WooCommerce customer. The store serves it with
// WooCommerce's field names and shapes, its dates in the site's zone and
// in GMT, and its _links.
type Customer struct {
	// ID is the customer's id. Zero when putting or creating one means
	// the next free id.
	ID int
	// Created is date_created and date_created_gmt. Zero when putting one
	// means now, on the store's clock.
	Created time.Time
	// Modified is date_modified and date_modified_gmt; zero is served as
	// null, as for a WordPress user WooCommerce never saved.
	Modified time.Time

	Email     string
	FirstName string
	LastName  string
	// Role is "customer" when empty.
	Role string
	// Username is the part of Email before the @ when empty.
	Username         string
	Billing          Address
	Shipping         Address
	IsPayingCustomer bool
	// AvatarURL is Gravatar's default picture when empty.
	AvatarURL string
	MetaData  []Meta
}

// Order is a WooCommerce order, served as GET /orders returns it.
type Order struct {
	// ID is the order's id. Zero when putting or creating one means the
	// next free id.
	ID       int
	ParentID int
	// Number is the ID when empty.
	Number string
	// OrderKey is made from the ID when empty.
	OrderKey string
	// CreatedVia is "checkout" when empty.
	CreatedVia string
	// Version is the WooCommerce version that saved it, "9.4.2" when
	// empty.
	Version string
	// Status is "pending" when empty.
	Status string
	// Currency is "USD" when empty.
	Currency string
	// Created is date_created and date_created_gmt. Zero when putting one
	// means now, on the store's clock.
	Created time.Time
	// Modified is date_modified and date_modified_gmt. Zero when putting
	// one means Created.
	Modified time.Time
	// Paid is date_paid and date_paid_gmt; zero is served as null.
	Paid time.Time

	// The amounts are decimal strings, "0.00" when empty.
	DiscountTotal, ShippingTotal, Total, TotalTax string
	PricesIncludeTax                              bool
	CustomerID                                    int
	Billing                                       Address
	Shipping                                      Address
	PaymentMethod                                 string
	PaymentMethodTitle                            string
	TransactionID                                 string
	LineItems                                     []LineItem
	MetaData                                      []Meta
}

// Address is a customer's or an order's billing or shipping address.
// Shipping addresses have no email.
type Address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone"`
}

// Meta is a meta_data entry.
type Meta struct {
	ID    int    `json:"id"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

// LineItem is an order's line item.
type LineItem struct {
	ID          int     `json:"id"`
	Name        string  `json:"name"`
	ProductID   int     `json:"product_id"`
	VariationID int     `json:"variation_id"`
	Quantity    int     `json:"quantity"`
	TaxClass    string  `json:"tax_class"`
	Subtotal    string  `json:"subtotal"`
	Total       string  `json:"total"`
	SKU         string  `json:"sku"`
	Price       float64 `json:"price"`
}

// wooVersion is the WooCommerce version the store says it runs.
const wooVersion = "9.4.2"

// wooRecord is a customer or an order, as the store keeps it.
type wooRecord interface {
	recordID() int
	// dates returns the dates lists are sorted and filtered by: modified
	// is created when the record has no modified date.
	dates() (created, modified time.Time)
	// filled returns a copy with id and WooCommerce's defaults, now being
	// the store's time.
	filled(id int, now time.Time) wooRecord
	// wire returns the record as the REST API writes it.
	wire(home string, site *time.Location) any
}

func (c Customer) recordID() int { return c.ID }

func (c Customer) dates() (time.Time, time.Time) {
	if c.Modified.IsZero() {
		return c.Created, c.Created
	}
	return c.Created, c.Modified
}

func (c Customer) filled(id int, now time.Time) wooRecord {
	c.ID = id
	if c.Created.IsZero() {
		c.Created = now
	}
	if c.Role == "" {
		c.Role = "customer"
	}
	if c.Username == "" {
		c.Username, _, _ = strings.Cut(c.Email, "@")
	}
	if c.AvatarURL == "" {
		c.AvatarURL = "https://secure.gravatar.com/avatar/?s=96&d=mm&r=g"
	}
	return c
}

func (o Order) recordID() int { return o.ID }

func (o Order) dates() (time.Time, time.Time) { return o.Created, o.Modified }

func (o Order) filled(id int, now time.Time) wooRecord {
	o.ID = id
	if o.Created.IsZero() {
		o.Created = now
	}
	if o.Modified.IsZero() {
		o.Modified = o.Created
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.Number, strconv.Itoa(id))
	def(&o.OrderKey, fmt.Sprintf("wc_order_%08x", uint32(id)*2654435761))
	def(&o.CreatedVia, "checkout")
	def(&o.Version, wooVersion)
	def(&o.Status, "pending")
	def(&o.Currency, "USD")
	for _, amount := range []*string{&o.DiscountTotal, &o.ShippingTotal, &o.Total, &o.TotalTax} {
		def(amount, "0.00")
	}
	return o
}

type wooLink struct {
	Href string `json:"href"`
}

type wooLinks struct {
	Self       []wooLink `json:"self"`
	Collection []wooLink `json:"collection"`
}

// links returns the _links of record id of a collection.
func links(home, collection string, id int) wooLinks {
	base := home + strings.TrimPrefix(WooAPIPath, "/") + "/" + collection
	return wooLinks{
		Self:       []wooLink{{Href: base + "/" + strconv.Itoa(id)}},
		Collection: []wooLink{{Href: base}},
	}
}

// stamp writes t as WooCommerce does, in the site's zone and in GMT; a
// zero t is null twice.
func stamp(t time.Time, site *time.Location) (local, gmt *string) {
	if t.IsZero() {
		return nil, nil
	}
	l, g := t.In(site).Format(WooDateLayout), t.UTC().Format(WooDateLayout)
	return &l, &g
}

func (c Customer) wire(home string, site *time.Location) any {
	created, createdGMT := stamp(c.Created, site)
	modified, modifiedGMT := stamp(c.Modified, site)
	meta := c.MetaData
	if meta == nil {
		meta = []Meta{}
	}
	return struct {
		ID               int      `json:"id"`
		DateCreated      *string  `json:"date_created"`
		DateCreatedGMT   *string  `json:"date_created_gmt"`
		DateModified     *string  `json:"date_modified"`
		DateModifiedGMT  *string  `json:"date_modified_gmt"`
		Email            string   `json:"email"`
		FirstName        string   `json:"first_name"`
		LastName         string   `json:"last_name"`
		Role             string   `json:"role"`
		Username         string   `json:"username"`
		Billing          Address  `json:"billing"`
		Shipping         Address  `json:"shipping"`
		IsPayingCustomer bool     `json:"is_paying_customer"`
		AvatarURL        string   `json:"avatar_url"`
		MetaData         []Meta   `json:"meta_data"`
		Links            wooLinks `json:"_links"`
	}{
		c.ID, created, createdGMT, modified, modifiedGMT, c.Email, c.FirstName, c.LastName, c.Role,
		c.Username, c.Billing, c.Shipping, c.IsPayingCustomer, c.AvatarURL, meta, links(home, "customers", c.ID),
	}
}

func (o Order) wire(home string, site *time.Location) any {
	created, createdGMT := stamp(o.Created, site)
	modified, modifiedGMT := stamp(o.Modified, site)
	paid, paidGMT := stamp(o.Paid, site)
	items, meta := o.LineItems, o.MetaData
	if items == nil {
		items = []LineItem{}
	}
	if meta == nil {
		meta = []Meta{}
	}
	return struct {
		ID                 int        `json:"id"`
		ParentID           int        `json:"parent_id"`
		Number             string     `json:"number"`
		OrderKey           string     `json:"order_key"`
		CreatedVia         string     `json:"created_via"`
		Version            string     `json:"version"`
		Status             string     `json:"status"`
		Currency           string     `json:"currency"`
		DateCreated        *string    `json:"date_created"`
		DateCreatedGMT     *string    `json:"date_created_gmt"`
		DateModified       *string    `json:"date_modified"`
		DateModifiedGMT    *string    `json:"date_modified_gmt"`
		DiscountTotal      string     `json:"discount_total"`
		ShippingTotal      string     `json:"shipping_total"`
		Total              string     `json:"total"`
		TotalTax           string     `json:"total_tax"`
		PricesIncludeTax   bool       `json:"prices_include_tax"`
		CustomerID         int        `json:"customer_id"`
		Billing            Address    `json:"billing"`
		Shipping           Address    `json:"shipping"`
		PaymentMethod      string     `json:"payment_method"`
		PaymentMethodTitle string     `json:"payment_method_title"`
		TransactionID      string     `json:"transaction_id"`
		DatePaid           *string    `json:"date_paid"`
		DatePaidGMT        *string    `json:"date_paid_gmt"`
		LineItems          []LineItem `json:"line_items"`
		MetaData           []Meta     `json:"meta_data"`
		Links              wooLinks   `json:"_links"`
	}{
		o.ID, o.ParentID, o.Number, o.OrderKey, o.CreatedVia, o.Version, o.Status, o.Currency,
		created, createdGMT, modified, modifiedGMT, o.DiscountTotal, o.ShippingTotal, o.Total, o.TotalTax,
		o.PricesIncludeTax, o.CustomerID, o.Billing, o.Shipping, o.PaymentMethod, o.PaymentMethodTitle,
		o.TransactionID, paid, paidGMT, items, meta, links(home, "orders", o.ID),
	}
}

// ---------------------------------------------------------------------------
// Changing the store: Put sets a record as given and sends nothing;
// Create, Update and Delete change it now, as the shop's admin does, and
// send the webhooks of the change.

// PutCustomer stores c as given, filling in WooCommerce's defaults, and
// sends no webhook: it sets the store up before a test, or changes a
// customer without dating the change. It returns the customer stored.
func (s *WooCommerce) PutCustomer(c Customer) Customer { return s.put("customers", c).(Customer) }

// PutOrder stores o as given, filling in WooCommerce's defaults, and sends
// no webhook. It returns the order stored.
func (s *WooCommerce) PutOrder(o Order) Order { return s.put("orders", o).(Order) }

// CreateCustomer stores c, created and modified now, and sends the
// customer.created webhooks. It returns the customer stored, and the
// errors of the webhooks that failed.
func (s *WooCommerce) CreateCustomer(ctx context.Context, c Customer) (Customer, error) {
	now := s.clock.Now()
	c.Created, c.Modified = now, now
	rec, err := s.create(ctx, "customers", c)
	return rec.(Customer), err
}

// CreateOrder stores o, created and modified now, and sends the
// order.created webhooks.
func (s *WooCommerce) CreateOrder(ctx context.Context, o Order) (Order, error) {
	now := s.clock.Now()
	o.Created, o.Modified = now, now
	rec, err := s.create(ctx, "orders", o)
	return rec.(Order), err
}

// UpdateCustomer applies change to customer id, dates it modified now and
// sends the customer.updated webhooks. change runs with the store locked
// and must not call it. The error wraps [ErrNoRecord] if there is no such
// customer.
func (s *WooCommerce) UpdateCustomer(ctx context.Context, id int, change func(*Customer)) (Customer, error) {
	rec, err := s.update(ctx, "customers", id, func(r wooRecord, now time.Time) wooRecord {
		c := r.(Customer)
		change(&c)
		c.Modified = now
		return c
	})
	c, _ := rec.(Customer)
	return c, err
}

// UpdateOrder applies change to order id, dates it modified now and sends
// the order.updated webhooks, as UpdateCustomer does.
func (s *WooCommerce) UpdateOrder(ctx context.Context, id int, change func(*Order)) (Order, error) {
	rec, err := s.update(ctx, "orders", id, func(r wooRecord, now time.Time) wooRecord {
		o := r.(Order)
		change(&o)
		o.Modified = now
		return o
	})
	o, _ := rec.(Order)
	return o, err
}

// Delete deletes record id of resource ("customers", "orders") and sends
// the resource's deleted webhooks (customer.deleted, order.deleted), whose
// body is {"id":N}. The error wraps [ErrNoRecord] if there is no such
// record.
func (s *WooCommerce) Delete(ctx context.Context, resource string, id int) error {
	return s.delete(ctx, resource, id)
}

// Customer returns customer id as stored, and false if there is none.
func (s *WooCommerce) Customer(id int) (Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.records["customers"][id].(Customer)
	return c, ok
}

// Order returns order id as stored, and false if there is none.
func (s *WooCommerce) Order(id int) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.records["orders"][id].(Order)
	return o, ok
}

// Record returns the JSON the store serves for record id of resource
// ("customers", "orders"), byte for byte as in a page, and false if there
// is none.
func (s *WooCommerce) Record(resource string, id int) ([]byte, bool) {
	s.mu.Lock()
	rec, ok := s.records[resource][id]
	var v any
	if ok {
		v = rec.wire(s.URL()+"/", s.site)
	}
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	b, err := wpJSON(v)
	return b, err == nil
}

func (s *WooCommerce) put(resource string, r wooRecord) wooRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store(resource, r)
}

// store keeps r, with the next free id if it has none. s.mu is held.
func (s *WooCommerce) store(resource string, r wooRecord) wooRecord {
	id := r.recordID()
	if id == 0 {
		id = s.lastID[resource] + 1
	}
	s.lastID[resource] = max(s.lastID[resource], id)
	rec := r.filled(id, s.clock.Now())
	s.records[resource][id] = rec
	return rec
}

func (s *WooCommerce) create(ctx context.Context, resource string, r wooRecord) (wooRecord, error) {
	s.mu.Lock()
	rec := s.store(resource, r)
	payload := rec.wire(s.URL()+"/", s.site)
	s.mu.Unlock()
	return rec, s.deliver(ctx, resource, "created", payload)
}

func (s *WooCommerce) update(ctx context.Context, resource string, id int, change func(wooRecord, time.Time) wooRecord) (wooRecord, error) {
	s.mu.Lock()
	old, ok := s.records[resource][id]
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %s %d", ErrNoRecord, resource, id)
	}
	now := s.clock.Now()
	rec := change(old, now).filled(id, now)
	s.records[resource][id] = rec
	payload := rec.wire(s.URL()+"/", s.site)
	s.mu.Unlock()
	return rec, s.deliver(ctx, resource, "updated", payload)
}

func (s *WooCommerce) delete(ctx context.Context, resource string, id int) error {
	s.mu.Lock()
	_, ok := s.records[resource][id]
	delete(s.records[resource], id)
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s %d", ErrNoRecord, resource, id)
	}
	return s.deliver(ctx, resource, "deleted", map[string]int{"id": id})
}
