// Command gen is a tiny TLS client and server for tests/data/keylog/make.sh:
// both write the NSS key log named by SSLKEYLOGFILE (crypto/tls KeyLogWriter).
//
//	gen server ADDR CERT KEY [tls12|tls13] [SUITE]   serves one connection: echoes one line, closes
//	gen client ADDR [tls12|tls13] [SUITE] [verify]   sends one line, reads the echo, closes
//
// Closing sends close_notify.  With "verify" the client checks the server
// certificate (a self-signed one fails: the client sends a fatal alert).
package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"strconv"
)

func keyLog() io.Writer {
	name := os.Getenv("SSLKEYLOGFILE")
	if name == "" {
		return nil
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	return f
}

func config(args []string) *tls.Config {
	c := &tls.Config{KeyLogWriter: keyLog(), MinVersion: tls.VersionTLS12}
	if len(args) > 0 && args[0] == "tls12" {
		c.MaxVersion = tls.VersionTLS12
	} else if len(args) > 0 && args[0] == "tls13" {
		c.MinVersion = tls.VersionTLS13
	}
	if len(args) > 1 && args[1] != "" && args[1] != "-" {
		id, err := strconv.ParseUint(args[1], 0, 16)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad suite:", args[1])
			os.Exit(2)
		}
		c.CipherSuites = []uint16{uint16(id)}
	}
	return c
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: gen server ADDR CERT KEY [tls12|tls13] [SUITE] | gen client ADDR [tls12|tls13] [SUITE] [verify]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "server":
		cert, err := tls.LoadX509KeyPair(os.Args[3], os.Args[4])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		c := config(os.Args[5:])
		c.Certificates = []tls.Certificate{cert}
		ln, err := tls.Listen("tcp", os.Args[2], c)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		conn, err := ln.Accept()
		if err != nil {
			os.Exit(1)
		}
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err == nil {
			conn.Write([]byte(line))
		}
		conn.Close()
	case "client":
		c := config(os.Args[3:])
		c.InsecureSkipVerify = !(len(os.Args) > 5 && os.Args[5] == "verify")
		conn, err := tls.Dial("tcp", os.Args[2], c)
		if err != nil {
			fmt.Fprintln(os.Stderr, "client:", err)
			os.Exit(1)
		}
		conn.Write([]byte("hello from go\n"))
		bufio.NewReader(conn).ReadString('\n')
		conn.Close()
	}
}
