package element_test

import (
	"errors"
	"fmt"

	"github.com/a12b7632/elementevents/element"
)

func ExampleCatalogue_Lookup() {
	def, ok := element.Default().Lookup("woocommercerest")
	if !ok {
		fmt.Println("not registered")
		return
	}
	config := map[string]string{"store.url": "https://shop.example/"}
	base, err := def.ExpandBaseURL(func(key string) (string, bool) {
		v, ok := config[key]
		return v, ok
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(def.Hub, def.Auth.Style, def.Pagination.Style)
	fmt.Println(base + def.VendorPath("/hubs/ecommerce/customers?orderby=id"))
	fmt.Println(def.Webhook.Topics.Map("order.updated"))
	fmt.Println(def.Webhook.Topics.Map("action.woocommerce_add_to_cart"))
	// Output:
	// ecommerce basic page
	// https://shop.example/wp-json/wc/v3/customers?orderby=id
	// orders UPDATED
	// action UNKNOWN
}

func ExampleParseDefinition() {
	def, err := element.ParseDefinition([]byte(`{
		"key": "acmecrm",
		"hub": "crm",
		"baseUrl": "https://{acme.tenant}.acme.example/api/v2",
		"auth": {"style": "bearer", "tokenKey": "acme.token"},
		"pagination": {"style": "link", "sizeParam": "per_page"},
		"maxPageSize": 200,
		"paths": {"/hubs/crm/contacts": "/contacts"},
		"webhook": {
			"signatureScheme": "hmac-sha256",
			"signatureHeader": "X-Acme-Signature",
			"signatureEncoding": "hex",
			"signaturePrefix": "sha256=",
			"secretKey": "webhook.secret",
			"topicHeader": "X-Acme-Event",
			"topics": {"objects": {"contact": "contacts"}, "actions": {"added": "CREATED"}}
		}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(def.Key, def.Webhook.Methods)
	fmt.Println(def.Webhook.Topics.Map("contact.added"))

	_, err = element.ParseDefinition([]byte(`{"key": "acme", "hub": "crm", "baseUrl": "{u}", "pagination": {"style": "cursor"}}`))
	fmt.Println(errors.Is(err, element.ErrInvalid))
	fmt.Println(err)
	// Output:
	// acmecrm [POST]
	// contacts CREATED
	// true
	// element: invalid definition "acme": pagination.style: must be one of none, page, link, next-url, offset
}
