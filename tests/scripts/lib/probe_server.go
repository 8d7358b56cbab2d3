// A Go crypto/tls server for tests/scripts/probe_loopback.sh: one configuration
// chosen by the mode argument, on 127.0.0.1:PORT, for at most 60 seconds.
//
//	go run probe_server.go PORT CERT KEY MODE
//
// Modes: tls13 (TLS 1.3 only), alpn-h2 (ALPN h2 strictly), x25519 (only that
// group), default.  Each connection runs its handshake and is closed.
package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: probe_server PORT CERT KEY MODE")
		os.Exit(2)
	}
	cert, err := tls.LoadX509KeyPair(os.Args[2], os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	switch os.Args[4] {
	case "tls13":
		cfg.MinVersion = tls.VersionTLS13
	case "alpn-h2":
		cfg.NextProtos = []string{"h2"}
	case "x25519":
		cfg.CurvePreferences = []tls.CurveID{tls.X25519}
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:"+os.Args[1], cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	time.AfterFunc(60*time.Second, func() { os.Exit(0) })
	fmt.Println("listening")
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			c.SetDeadline(time.Now().Add(10 * time.Second))
			c.(*tls.Conn).Handshake()
			c.Close()
		}(c)
	}
}
