// A Go crypto/tls client for the `tlsalert serve` tests (tests/scripts/serve_*.sh):
// for each address in turn it connects N times in a row, runs the handshake,
// sends a small HTTP request, reads until the end, and prints one line per
// connection: "ok" (the server closed cleanly) or the error Go reported
// ("remote error: tls: unknown certificate authority"), prefixed with where it
// happened (handshake/read).
//
//	alert_client [-tls 1.2|1.3] [-ca FILE] [-sni NAME] [-alpn P] [-n N]
//	             [-cert FILE -key FILE] [-timeout SEC] HOST:PORT...
//
// Without -ca the certificate is not verified (the tests judge alerts, not
// trust).  Every connection is bounded by -timeout (default 5 s).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	vers := flag.String("tls", "", "1.2 or 1.3 (default: both offered)")
	ca := flag.String("ca", "", "trust anchor (PEM); without it nothing is verified")
	sni := flag.String("sni", "localhost", "server name sent")
	alpn := flag.String("alpn", "", "ALPN protocol offered")
	n := flag.Int("n", 1, "connections, one after the other")
	certf := flag.String("cert", "", "client certificate (PEM)")
	keyf := flag.String("key", "", "client key (PEM)")
	secs := flag.Int("timeout", 5, "seconds allowed per connection")
	flag.Parse()
	if flag.NArg() < 1 || *n < 1 || *n > 10000 {
		fmt.Fprintln(os.Stderr, "usage: alert_client [options] HOST:PORT...")
		os.Exit(2)
	}
	cfg := &tls.Config{ServerName: *sni, InsecureSkipVerify: *ca == ""}
	switch *vers {
	case "1.2":
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	case "1.3":
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
	case "":
	default:
		fmt.Fprintln(os.Stderr, "alert_client: -tls must be 1.2 or 1.3")
		os.Exit(2)
	}
	if *ca != "" {
		pem, err := os.ReadFile(*ca)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		cfg.RootCAs = x509.NewCertPool()
		cfg.RootCAs.AppendCertsFromPEM(pem)
	}
	if *alpn != "" {
		cfg.NextProtos = []string{*alpn}
	}
	if *certf != "" {
		c, err := tls.LoadX509KeyPair(*certf, *keyf)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	for _, addr := range flag.Args() {
		for i := 0; i < *n; i++ {
			fmt.Println(once(addr, cfg, time.Duration(*secs)*time.Second))
		}
	}
}

// once runs one connection and says how it ended.
func once(addr string, cfg *tls.Config, limit time.Duration) string {
	raw, err := net.DialTimeout("tcp", addr, limit)
	if err != nil {
		return "connect: " + err.Error()
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(limit))
	c := tls.Client(raw, cfg)
	if err := c.Handshake(); err != nil {
		return "handshake: " + err.Error()
	}
	req := "GET / HTTP/1.1\r\nHost: " + cfg.ServerName + "\r\nConnection: close\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return "write: " + err.Error()
	}
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		if errors.Is(err, io.EOF) {
			return "ok"
		}
		if err != nil {
			return "read: " + err.Error()
		}
	}
}
