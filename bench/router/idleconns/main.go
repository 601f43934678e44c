// Command idleconns opens n keep-alive connections to a proxy, sends
// -requests requests on each (one by default) so that the proxy has served
// it, and then holds them all idle until it is signalled or -hold passes. It prints "ready" once every connection is open and idle,
// for the benchmark to measure the proxy's memory. With -n 1 -requests
// 1000 -hold 0 it warms a proxy up instead.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "proxy address")
	host := flag.String("host", "bench.localhost", "Host header")
	n := flag.Int("n", 1000, "connections to open")
	requests := flag.Int("requests", 1, "requests to send on each connection")
	hold := flag.Duration("hold", 60*time.Second, "longest time to hold them")
	flag.Parse()

	conns := make([]net.Conn, 0, *n)
	for i := range *n {
		conn, err := open(*addr, *host, *requests)
		if err != nil {
			log.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, conn)
	}
	fmt.Println("ready", len(conns))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case <-time.After(*hold):
	}
	for _, c := range conns {
		c.Close()
	}
}

// open dials addr and completes requests keep-alive requests on the
// connection.
func open(addr, host string, requests int) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	br := bufio.NewReader(conn)
	for range requests {
		if err := get(conn, br, host); err != nil {
			conn.Close()
			return nil, err
		}
	}
	conn.SetDeadline(time.Time{})
	return conn, nil
}

func get(conn net.Conn, br *bufio.Reader, host string) error {
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: idleconns\r\n\r\n", host)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		return fmt.Errorf("status %d, close %v", resp.StatusCode, resp.Close)
	}
	return nil
}
