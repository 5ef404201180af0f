package vendortest

import (
	"cmp"
	"encoding/json"
	"strconv"
)

// WooInstance describes a polling instance of a WooCommerce store, for
// [WooPollingBody].
type WooInstance struct {
	// ID is the instance id; empty leaves "id" out of the body.
	ID string
	// Name is the instance name. Default "shop".
	Name string
	// StoreURL is store.url: the fake's [Fake.URL], or any store.
	StoreURL string
	// Key and Secret are the REST API consumer key and secret.
	Key, Secret string
	// CallbackURL is where notifications go.
	CallbackURL string
	// SignatureKey signs them; empty leaves the key out.
	SignatureKey string
	// RefreshMinutes is event.poller.refresh_interval. Default 1.
	RefreshMinutes int
}

// WooPollingBody returns the /instances body of a polling instance of the
// customers of a WooCommerce store, listed in id order, with the
// documented dates configuration (date_modified_gmt and date_created_gmt,
// yyyy-MM-dd'T'HH:mm:ss, GMT) and the tag "shop": the instance most tests
// and benchmarks poll this package's fake store with.
func WooPollingBody(in WooInstance) []byte {
	dates := map[string]string{
		"updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
		"createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT",
	}
	config := map[string]any{
		"store.url": in.StoreURL, "oauth.api.key": in.Key, "oauth.api.secret": in.Secret,
		"event.notification.enabled": "true", "event.vendor.type": "polling",
		"event.notification.callback.url": in.CallbackURL,
		"event.poller.refresh_interval":   strconv.Itoa(cmp.Or(in.RefreshMinutes, 1)),
		"event.poller.configuration": map[string]any{"customers": map[string]any{
			"url": "/hubs/ecommerce/customers?orderby=id&order=asc", "idField": "id", "datesConfiguration": dates,
		}},
	}
	if in.SignatureKey != "" {
		config["event.notification.signature.key"] = in.SignatureKey
	}
	body := map[string]any{"name": cmp.Or(in.Name, "shop"), "element": map[string]string{"key": "woocommercerest"},
		"tags": []string{"shop"}, "configuration": config}
	if in.ID != "" {
		body["id"] = in.ID
	}
	out, _ := json.Marshal(body) // maps of strings always marshal
	return out
}
