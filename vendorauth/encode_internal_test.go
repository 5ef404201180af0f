package vendorauth

import (
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPercentEncode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"abcXYZ019", "abcXYZ019"},
		{"-._~", "-._~"},
		{"", ""},
		{" ", "%20"},
		{"+", "%2B"},
		{"%", "%25"},
		{"=&?/:#[]@!$'()*,;", "%3D%26%3F%2F%3A%23%5B%5D%40%21%24%27%28%29%2A%2C%3B"},
		{"é", "%C3%A9"},
		{"\x00\xff", "%00%FF"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, percentEncode(tt.in), "percentEncode(%q)", tt.in)
	}
}

func TestBaseURI(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// RFC 5849 §3.4.1.2's examples.
		{"http://EXAMPLE.COM:80/r%20v/X?id=123", "http://example.com/r%20v/X"},
		{"https://www.example.net:8080/?q=1", "https://www.example.net:8080/"},
		{"https://shop.example:443", "https://shop.example/"},
		{"http://127.0.0.1:8080/wp-json/wc/v3/customers", "http://127.0.0.1:8080/wp-json/wc/v3/customers"},
		{"http://[::1]:8080/a", "http://[::1]:8080/a"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		require.NoError(t, err)
		require.Equal(t, tt.want, baseURI(u), tt.in)
	}
}

func TestBaseString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, url string
		extra             []param
		want              string
	}{{
		// RFC 5849 §3.4.1.1: query, body and oauth parameters together.
		name: "RFC 5849 3.4.1.1", method: "POST",
		url: "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
		extra: []param{
			{"c2", ""}, {"a3", "2 q"},
			{"oauth_consumer_key", "9djdj82h48djs9d2"}, {"oauth_token", "kkk9d7dh3k39sjv7"},
			{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", "137131201"}, {"oauth_nonce", "7d8f3e4a"},
		},
		want: "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7",
	}, {
		name: "duplicate names sort by value", method: "get",
		url:  "http://a.example/p?a=2&a=1&a=&b=x",
		want: "GET&http%3A%2F%2Fa.example%2Fp&a%3D%26a%3D1%26a%3D2%26b%3Dx",
	}, {
		name: "empty parameters and empty pairs", method: "GET",
		url:  "http://a.example/?z&&y=&x",
		want: "GET&http%3A%2F%2Fa.example%2F&x%3D%26y%3D%26z%3D",
	}, {
		name: "reserved characters and plus", method: "GET",
		url:  "http://a.example/p?q=a+b%2Bc&r=%26%3D%2F%7E&s=%C3%A9",
		want: "GET&http%3A%2F%2Fa.example%2Fp&q%3Da%2520b%252Bc%26r%3D%2526%253D%252F~%26s%3D%25C3%25A9",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tt.url)
			require.NoError(t, err)
			got, err := baseString(tt.method, u, tt.extra)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestBaseStringBadEscape(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"a=%zz", "%G0=1", "a=%"} {
		_, err := baseString("GET", &url.URL{Scheme: "http", Host: "a.example", RawQuery: raw}, nil)
		require.True(t, errors.Is(err, ErrRequest), "%q: %v", raw, err)
	}
}

// TestSignatureVectors checks the HMAC over known base strings: RFC 5849
// §1.2's request (HMAC-SHA1, with a token secret; as corrected), the OAuth Core 1.0
// appendix's, and HMAC-SHA256 vectors computed with openssl dgst.
func TestSignatureVectors(t *testing.T) {
	t.Parallel()
	const photos = "http://photos.example.net/photos?file=vacation.jpg&size=original"
	tests := []struct {
		name, url, key string
		sha256         bool
		oauth          []param
		want           string
	}{{
		name: "RFC 5849 1.2", url: photos, key: "kd94hf93k423kf44&pfkkdhi9sl3r4s00",
		oauth: []param{{"oauth_consumer_key", "dpf43f3p2l4k3l03"}, {"oauth_token", "nnch734d00sl2jdk"},
			{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", "137131202"}, {"oauth_nonce", "chapoH"}},
		// The RFC prints MdpQcU8iPSUjWoN5UDK7dZrUzZ0=; its erratum 2550
		// corrects it to this value.
		want: "MdpQcU8iPSUjWoN/UDMsK2sui9I=",
	}, {
		name: "OAuth Core 1.0 A.5", url: photos, key: "kd94hf93k423kf44&pfkkdhi9sl3r4s00",
		oauth: []param{{"oauth_consumer_key", "dpf43f3p2l4k3l03"}, {"oauth_token", "nnch734d00sl2jdk"},
			{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", "1191242096"}, {"oauth_nonce", "kllo9940pd9333jh"},
			{"oauth_version", "1.0"}},
		want: "tR3+Ty81lMeYAr/Fid0kMTYa/WM=",
	}, {
		name: "OAuth Core 1.0 A.5 with HMAC-SHA256", url: photos, key: "kd94hf93k423kf44&pfkkdhi9sl3r4s00", sha256: true,
		oauth: []param{{"oauth_consumer_key", "dpf43f3p2l4k3l03"}, {"oauth_token", "nnch734d00sl2jdk"},
			{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", "1191242096"}, {"oauth_nonce", "kllo9940pd9333jh"},
			{"oauth_version", "1.0"}},
		want: "0gCtTYQAxqCKhIE0sltgx7UgHkAs10vrpuYE7xpRBnE=",
	}, {
		name: "one-legged HMAC-SHA256", url: "http://shop.example/wp-json/wc/v3/customers?page=2&per_page=100", key: "cs_1&", sha256: true,
		oauth: []param{{"oauth_consumer_key", "ck_1"}, {"oauth_nonce", "abc"},
			{"oauth_signature_method", "HMAC-SHA256"}, {"oauth_timestamp", "1700000000"}},
		want: "M7kS7x0al+kHDtGYnIywUZ/5d6EbHmt48kez36lp4e4=",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tt.url)
			require.NoError(t, err)
			base, err := baseString("GET", u, tt.oauth)
			require.NoError(t, err)
			h := sha1.New
			if tt.sha256 {
				h = sha256.New
			}
			require.Equal(t, tt.want, hmacBase64(h, tt.key, base))
		})
	}
}
