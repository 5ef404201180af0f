package netguard_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"

	"github.com/a12b7632/elementevents/netguard"
)

// A client behind the zero Guard cannot reach a server on loopback; one
// whose guard allows exactly that server's address and port can, and
// still cannot reach any other loopback port.
func ExampleGuard_RoundTripper() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	client := &http.Client{Transport: netguard.Guard{}.RoundTripper(nil)}
	_, err := client.Get(srv.URL)
	fmt.Println("zero guard refused:", errors.Is(err, netguard.ErrRefused))

	g := netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}}
	client = &http.Client{Transport: g.RoundTripper(nil)}
	resp, err := client.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println("allowed server:", resp.Status)

	_, err = client.Get("http://127.0.0.1:1/")
	fmt.Println("other port refused:", errors.Is(err, netguard.ErrRefused))
	// Output:
	// zero guard refused: true
	// allowed server: 204 No Content
	// other port refused: true
}

// CheckURL refuses early what needs no connection to judge, such as the
// numeric forms of loopback that C resolvers accept.
func ExampleGuard_CheckURL() {
	for _, raw := range []string{"https://hooks.example.com/cb", "http://2130706433/", "http://localhost:8080/"} {
		u, _ := url.Parse(raw)
		fmt.Println(raw, netguard.Guard{}.CheckURL(u))
	}
	// Output:
	// https://hooks.example.com/cb <nil>
	// http://2130706433/ host "2130706433" reads as 127.0.0.1: netguard: refused: 127.0.0.1 is loopback (127.0.0.0/8)
	// http://localhost:8080/ host "localhost" names loopback: netguard: refused: 127.0.0.1 is loopback (127.0.0.0/8)
}
