// Command goproxy is the floor of the router benchmark: the plainest
// reverse proxy Go's standard library makes, with the same transport
// settings and buffer pool as paas-router and none of its routing, limits
// or metrics. The
// gap between it and paas-router is the router's own cost; the gap between
// it and nginx is Go's net/http's.
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// bufferPool recycles the proxy's 32 KiB copy buffers, as paas-router's
// does; without one, every response allocates its own.
type bufferPool struct{ pool sync.Pool }

func (p *bufferPool) Get() []byte {
	if b, ok := p.pool.Get().(*[]byte); ok {
		return *b
	}
	return make([]byte, 32<<10)
}

func (p *bufferPool) Put(b []byte) { p.pool.Put(&b) }

func main() {
	listen := flag.String("listen", "127.0.0.1:18085", "address to serve on")
	upstream := flag.String("upstream", "127.0.0.1:18095", "backend address")
	flag.Parse()
	target := &url.URL{Scheme: "http", Host: *upstream}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		BufferPool: &bufferPool{},
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        1000,
			MaxIdleConnsPerHost: 100,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
	srv := &http.Server{Addr: *listen, Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
