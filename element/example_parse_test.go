package element_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/a12b7632/elementevents/element"
)

func ExampleParse() {
	body := []byte(`{
	  "element": {"key": "woocommercerest"},
	  "name": "my-store",
	  "configuration": {
	    "store.url": "https://shop.example.com",
	    "oauth.api.secret": "cs_live_123",
	    "event.notification.enabled": "true",
	    "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/events",
	    "event.poller.refresh_interval": "5",
	    "event.poller.configuration": {
	      "customers": {
	        "url": "/hubs/ecommerce/customers",
	        "idField": "id",
	        "datesConfiguration": {
	          "updatedDateField": "date_modified_gmt",
	          "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss",
	          "updatedDateTimezone": "GMT"
	        }
	      }
	    }
	  }
	}`)
	inst, err := element.Parse(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := inst.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	e := inst.Configuration.Events
	store, _ := inst.Configuration.Get("store.url")
	secret, _ := inst.Configuration.Get("oauth.api.secret")
	fmt.Println(inst.Name, e.VendorType, e.RefreshInterval, store)
	fmt.Println(e.Resources["customers"].Dates.UpdatedField)
	fmt.Printf("%v\n", inst.Configuration)
	fmt.Println(len(secret) > 0)
	// Output:
	// my-store polling 5m0s https://shop.example.com
	// date_modified_gmt
	// {event.notification.callback.url:https://app.example.com/events event.notification.enabled:true event.poller.configuration:{"customers":{"url":"/hubs/ecommerce/customers","idField":"id","datesConfiguration":{"updatedDateField":"date_modified_gmt","updatedDateFormat":"yyyy-MM-dd'T'HH:mm:ss","updatedDateTimezone":"GMT"}}} event.poller.refresh_interval:5 event.vendor.type:polling oauth.api.secret:[REDACTED] store.url:https://shop.example.com}
	// true
}

func ExampleParse_problems() {
	_, err := element.Parse([]byte(`{
	  "element": {"key": "woocommercerest"},
	  "configuration": {
	    "event.notification.enabled": true,
	    "event.vendor.type": "push",
	    "event.notification.callback.url": "mycoolapp.com",
	    "event.poller.configuration": {"customers": {"url": "/hubs/ecommerce/customers"}}
	  }
	}`))
	fmt.Println(err)
	var ve *element.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Problems[1].Path)
	}
	// Output:
	// element: invalid configuration: 3 problems:
	//   event.notification.callback.url: must be an absolute http or https URL
	//   event.poller.configuration.customers.idField: required
	//   event.vendor.type: must be webhook or polling, got "push"
	// event.poller.configuration.customers.idField
}

func ExampleParse_warnings() {
	inst, err := element.Parse([]byte(`{
	  "element": {"key": "woocommercerest"},
	  "configuration": {
	    "store.url": "https://shop.example.com",
	    "event.vendor.type": "webhooks",
	    "event.notification.callback.url": "https://app.example.com/events"
	  }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inst.Configuration.Events.Enabled)
	for _, w := range inst.Warnings {
		fmt.Println(w)
	}
	// Output:
	// false
	// event.notification.enabled: events are off: event.notification.enabled is not set (event.vendor.type and event.notification.callback.url are)
}

func ExampleInstance_Validate() {
	inst := &element.Instance{Element: element.Element{Key: "woocommercerest"}}
	inst.Configuration.Events = element.Events{
		Enabled:         true,
		VendorType:      "webhook",
		CallbackURL:     "mycoolapp.com",
		RefreshInterval: 15 * time.Minute,
	}
	fmt.Println(inst.Validate())
	// Output:
	// element: invalid configuration: event.notification.callback.url: must be an absolute http or https URL
}
