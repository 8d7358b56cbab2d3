// peer.go: the Go side of the scenario captures (tests/data/scenarios/make.sh).
// One TLS connection, as a server or a client, with the settings a scenario needs;
// errors go to stderr as Go's crypto/tls words them (those lines are kept as NAME.log).
// Not run by the tests.
//
//	go run peer.go -mode server -port P -cert C -key K [-ca CA -clientauth] [-min V -max V]
//	    [-suites 0xc02f,...] [-curves 23,29] [-alpn h2,...]
//	go run peer.go -mode client -port P [-sni NAME] [-ca CA] [-cert C -key K] [-min V -max V]
//	    [-suites ...] [-curves ...] [-alpn ...] [-keylog FILE] [-reneg]
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

var versions = map[string]uint16{
	"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11,
	"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13,
}

func numbers(s string) []uint16 {
	var out []uint16
	for _, f := range strings.Split(s, ",") {
		if f == "" {
			continue
		}
		n, err := strconv.ParseUint(f, 0, 16)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad number:", f)
			os.Exit(2)
		}
		out = append(out, uint16(n))
	}
	return out
}

func main() {
	mode := flag.String("mode", "server", "server or client")
	port := flag.Int("port", 0, "port on 127.0.0.1")
	certf := flag.String("cert", "", "certificate chain (PEM)")
	keyf := flag.String("key", "", "private key (PEM)")
	caf := flag.String("ca", "", "trusted roots (PEM)")
	clientauth := flag.Bool("clientauth", false, "server: require and verify a client certificate")
	minv := flag.String("min", "1.2", "lowest version")
	maxv := flag.String("max", "1.3", "highest version")
	suites := flag.String("suites", "", "TLS 1.2 cipher suites (numbers)")
	curves := flag.String("curves", "", "groups (numbers)")
	alpn := flag.String("alpn", "", "ALPN protocols, comma separated")
	sni := flag.String("sni", "localhost", "client: server name")
	keylog := flag.String("keylog", "", "client: NSS key log file")
	flag.Parse()

	cfg := &tls.Config{MinVersion: versions[*minv], MaxVersion: versions[*maxv]}
	if *certf != "" {
		c, err := tls.LoadX509KeyPair(*certf, *keyf)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	if *caf != "" {
		pem, err := os.ReadFile(*caf)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		cfg.RootCAs = pool
		cfg.ClientCAs = pool
	}
	if *clientauth {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	cfg.CipherSuites = numbers(*suites)
	for _, c := range numbers(*curves) {
		cfg.CurvePreferences = append(cfg.CurvePreferences, tls.CurveID(c))
	}
	if *alpn != "" {
		cfg.NextProtos = strings.Split(*alpn, ",")
	}
	addr := fmt.Sprintf("127.0.0.1:%d", *port)
	if *mode == "server" {
		serve(cfg, addr)
		return
	}
	cfg.ServerName = *sni
	if *keylog != "" {
		f, err := os.OpenFile(*keylog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0600)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer f.Close()
		cfg.KeyLogWriter = f
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "client: connected", conn.ConnectionState().NegotiatedProtocol)
	conn.SetDeadline(time.Now().Add(3 * time.Second))
	// a TLS 1.3 server checks the client's certificate after the client's handshake
	// ended: a read shows its alert
	_, err = conn.Read(make([]byte, 1))
	fmt.Fprintln(os.Stderr, "client: read:", err)
	conn.Close()
}

// serve accepts one connection, completes (or fails) its handshake, answers a line, and ends.
func serve(cfg *tls.Config, addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	c, err := ln.Accept()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	conn := tls.Server(c, cfg)
	conn.SetDeadline(time.Now().Add(8 * time.Second))
	if err := conn.Handshake(); err != nil {
		fmt.Fprintln(os.Stderr, "server: TLS handshake error:", err)
		conn.Close()
		return
	}
	fmt.Fprintln(os.Stderr, "server: handshake done", conn.ConnectionState().NegotiatedProtocol)
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			conn.Write(buf[:n])
		}
		if err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, "server: read:", err)
			}
			break
		}
	}
	conn.Close()
}
