package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
)

// logoTransport answers the one download a generator makes, the .NET generator's GET of the
// schema's logoUrl (it packs the image as the NuGet icon), with a file of this repository, and
// refuses any other request: generation reads nothing from the network, so the same schema always
// generates the same SDKs.
type logoTransport struct {
	url  string
	path string
}

func (t logoTransport) RoundTrip(request *http.Request) (*http.Response, error) {
	if request.Method != http.MethodGet || request.URL.String() != t.url {
		return nil, fmt.Errorf("sdkgen makes no network requests; a generator asked for %s %s", request.Method, request.URL)
	}
	data, err := os.ReadFile(t.path)
	if err != nil {
		return nil, fmt.Errorf("logo for %s: %w", t.url, err)
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"image/png"}},
		Body:          io.NopCloser(bytes.NewReader(data)),
		ContentLength: int64(len(data)),
		Request:       request,
	}, nil
}

// serveLogoLocally routes every HTTP request of this process through logoTransport.
func serveLogoLocally(url, path string) {
	http.DefaultTransport = logoTransport{url: url, path: path}
	http.DefaultClient.Transport = http.DefaultTransport
}
