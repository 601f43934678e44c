// Command backend is the app of the router benchmark: it answers every
// request with the same body of 100 bytes, on every address it is given,
// so that each proxy can have an upstream port of its own.
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

// body is 100 bytes, about a small JSON answer.
var body = []byte(`{"status":"ok","app":"bench","message":"hello from the benchmark backend","padding":"xxxxxxxxxxxx"}` + "\n")

func main() {
	listen := flag.String("listen", "127.0.0.1:18090", "comma-separated addresses to serve on")
	flag.Parse()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	errc := make(chan error)
	for _, addr := range strings.Split(*listen, ",") {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			log.Fatal(err)
		}
		srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute}
		go func() { errc <- srv.Serve(ln) }()
	}
	log.Fatal(<-errc)
}
